"""Orderers' verification of certificates: attempts and their audit."""
