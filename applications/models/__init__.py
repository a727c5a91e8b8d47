"""The models of e-Net保証, in two modules: the application with its history and documents
(``application``) and the rate table with its discounts (``fees``). Django loads an app's models
from ``applications.models``, so they are imported here; ``_document_path`` is the upload path
migration 0001 names as ``applications.models._document_path``."""

from .application import Application, ApplicationDocument, ApplicationTransition, _document_path
from .fees import FeeDiscount, FeeRate

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationTransition",
    "FeeDiscount",
    "FeeRate",
    "_document_path",
]
