"""Branch staff's admin of e-Net保証: the review queue's record and desk (``application``, ``desk``)
and the rate table with its discounts (``rates``)."""

from . import application, rates  # noqa: F401 - importing the modules registers their admins
