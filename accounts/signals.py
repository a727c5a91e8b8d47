"""Signals of the accounts app, for the apps above it (accounts imports none of them).

``password_reset_requested(address, window)`` is sent inside the request's transaction for every
password reset request that passed the limits, whether an account has the address or not. The
notifications app queues the reset mail in its outbox on it (``notifications.signals``): the key
``window`` makes requests for one address within ``PASSWORD_RESET_MAIL_WINDOW`` share one mail.
"""

from django.dispatch import Signal

password_reset_requested = Signal()
