"""Business actions of the application flow. Each is one durable transaction with its transition row.

下書き → 申込済 → 審査中 → 差戻し (editable, resubmitted to 申込済) / 謝絶
                         → 保証料入金待ち → (入金記録) → 発行済
A change or 解約 without a fee is applied on approval (審査中 → 発行済, shown as 変更済/解約済).

- ``drafts``: the contractor's side: drafts, uploads, discarding, submission (the fee quote).
- ``review``: the branch clerk's side: review, 差戻し, 謝絶, approval, the fee payment, 発行.
- ``transitions``: what every step shares: the row lock, who may act in which state, the move
  with its transition row; ``notices``: the contractor's mail each step queues in its transaction.
"""
