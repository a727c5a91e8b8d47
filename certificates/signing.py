"""The guarantor's PAdES signature on every PDF the portal hands out (pyHanko).

The key and certificate come from settings: PEM text in the environment (``PDF_SIGNING_KEY_PEM``,
``PDF_SIGNING_CERT_PEM``, ``PDF_SIGNING_CHAIN_PEM``) or files (``PDF_SIGNING_KEY``,
``PDF_SIGNING_CERT``, ``PDF_SIGNING_CHAIN``). Development and tests use a pair made by
``manage.py create_signing_pair`` (a small root CA and a signing certificate under ``var/signing``);
when ``PDF_SIGNING_DEV_PAIR`` is on (only with the development secrets) a missing pair is created on
first use, so ``make run`` and ``make test`` never need a manual step. Production supplies its own.

Each PDF carries one certification signature (DocMDP "no changes"), PAdES baseline B-B, SHA-256.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

SIGNATURE_FIELD = "GuarantorSignature"
DEV_KEY_NAME = "dev-signing-key.pem"
DEV_CERT_NAME = "dev-signing-cert.pem"
DEV_ROOT_NAME = "dev-root-ca.pem"
DEV_MARK = "（開発用）"  # in the organisation name of every development certificate


@dataclass(frozen=True)
class SigningMaterial:
    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes  # zero or more certificates (intermediates, root), PEM, concatenated
    passphrase: bytes | None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"The PDF signing file {path} cannot be read: {exc}") from exc


def signing_material() -> SigningMaterial:
    """The configured key, certificate and chain; creates the development pair when allowed."""
    passphrase = settings.PDF_SIGNING_KEY_PASSPHRASE.encode() or None
    if settings.PDF_SIGNING_KEY_PEM and settings.PDF_SIGNING_CERT_PEM:
        return SigningMaterial(
            key_pem=settings.PDF_SIGNING_KEY_PEM.encode(),
            cert_pem=settings.PDF_SIGNING_CERT_PEM.encode(),
            chain_pem=settings.PDF_SIGNING_CHAIN_PEM.encode(),
            passphrase=passphrase,
        )
    key_path, cert_path = Path(settings.PDF_SIGNING_KEY), Path(settings.PDF_SIGNING_CERT)
    if settings.PDF_SIGNING_DEV_PAIR and not (key_path.exists() and cert_path.exists()):
        create_development_pair(**configured_pair_paths(), overwrite=False)
    chain = b"".join(_read(path) for path in settings.PDF_SIGNING_CHAIN if Path(path).exists())
    return SigningMaterial(
        key_pem=_read(str(key_path)), cert_pem=_read(str(cert_path)), chain_pem=chain, passphrase=passphrase
    )


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again for every signature (twice per PDF);
    for RSA that costs ~40 ms each time. This one parses it once per process."""

    @functools.cached_property
    def _private_key(self) -> Any:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: Any = None,
        signed_attr_settings: Any = None,
        is_pdf_sig: bool = True,
        encap_content_info: Any = None,
    ) -> cms.ContentInfo:
        """The CMS container of one signature. pyHanko builds it in asn1crypto, which re-encodes the
        signed attributes and the certificates each time (most of the signature's cost). Every
        signature of this signer is the same container but for the document digest and the
        signature value, so the first one pyHanko builds is kept as a template and later ones are
        that template with those two byte strings replaced (``_CmsTemplate``)."""
        plain = (
            not dry_run
            and timestamper is None
            and encap_content_info is None
            and is_pdf_sig
            and _settings_key(signed_attr_settings) is not None
        )
        key = (digest_algorithm, use_pades, _settings_key(signed_attr_settings))
        template = self._templates.get(key) if plain else None
        if template is not None:
            return template.sign(data_digest, self)
        content_info = await super().async_sign(
            data_digest,
            digest_algorithm,
            dry_run=dry_run,
            use_pades=use_pades,
            timestamper=timestamper,
            signed_attr_settings=signed_attr_settings,
            is_pdf_sig=is_pdf_sig,
            encap_content_info=encap_content_info,
        )
        if plain:
            template = _CmsTemplate.of(content_info, data_digest, digest_algorithm)
            if template is not None:
                self._templates[key] = template
        return content_info

    @functools.cached_property
    def _templates(self) -> dict[tuple[Any, ...], _CmsTemplate]:
        return {}


#: Signed attributes that are the same in every signature of one signer and one digest algorithm,
#: besides the message digest itself. A container with any other (a signing time, a timestamp, an
#: Adobe revocation attribute) is never used as a template.
_CONSTANT_ATTRIBUTES = {
    "content_type",
    "message_digest",
    "signing_certificate_v2",
    "cms_algorithm_protection",
}


def _settings_key(settings_: Any) -> tuple[Any, ...] | None:
    """What of pyHanko's signed-attribute settings can change the container; None when the settings
    ask for attributes that vary per signature (then every container is built by pyHanko)."""
    if settings_ is None:
        return ()
    if settings_.cades_signed_attrs is not None or settings_.adobe_revinfo_attr is not None:
        return None
    return ()


@dataclass(frozen=True)
class _CmsTemplate:
    """A DER CMS container of this signer in which exactly one copy of the document digest and of
    the signature value sit at fixed offsets. Valid only for signatures of a fixed length (RSA
    PKCS#1 v1.5: the key's size), so that replacing them keeps every DER length."""

    der: bytes
    digest_at: int
    digest_length: int
    signed_attrs_at: int  # the [0] IMPLICIT SignedAttributes inside der
    signed_attrs_length: int
    signature_at: int
    signature_length: int
    digest_algorithm: str

    @classmethod
    def of(
        cls, content_info: cms.ContentInfo, data_digest: bytes, digest_algorithm: str
    ) -> _CmsTemplate | None:
        signer_info = content_info["content"]["signer_infos"][0]
        if signer_info["signature_algorithm"].signature_algo != "rsassa_pkcs1v15":
            return None
        attributes = signer_info["signed_attrs"]
        if {attribute["type"].native for attribute in attributes} - _CONSTANT_ATTRIBUTES:
            return None
        der = content_info.dump()
        signed_attrs = attributes.dump()
        signature = signer_info["signature"].native
        if der.count(data_digest) != 1 or der.count(signed_attrs) != 1 or der.count(signature) != 1:
            return None
        signed_attrs_at = der.index(signed_attrs)
        digest_at = der.index(data_digest)
        if not signed_attrs_at < digest_at < signed_attrs_at + len(signed_attrs):
            return None
        return cls(
            der=der,
            digest_at=digest_at,
            digest_length=len(data_digest),
            signed_attrs_at=signed_attrs_at,
            signed_attrs_length=len(signed_attrs),
            signature_at=der.index(signature),
            signature_length=len(signature),
            digest_algorithm=digest_algorithm,
        )

    def sign(self, data_digest: bytes, signer: _LoadedKeySigner) -> cms.ContentInfo:
        if len(data_digest) != self.digest_length:
            raise ValueError("The document digest does not fit the signature template.")
        der = bytearray(self.der)
        der[self.digest_at : self.digest_at + self.digest_length] = data_digest
        signed_attrs = bytes(der[self.signed_attrs_at : self.signed_attrs_at + self.signed_attrs_length])
        # What is signed is the DER of the attributes as a SET OF (RFC 5652 5.4), not the [0] tag.
        signature = signer.sign_raw(b"\x31" + signed_attrs[1:], self.digest_algorithm)
        if len(signature) != self.signature_length:
            raise ValueError("The signature does not fit the signature template.")
        der[self.signature_at : self.signature_at + self.signature_length] = signature
        return cms.ContentInfo.load(bytes(der))


@functools.cache
def _signer() -> signers.SimpleSigner:
    material = signing_material()
    key = load_private_key_from_pemder_data(material.key_pem, passphrase=material.passphrase)
    certs = list(load_certs_from_pemder_data(material.cert_pem))
    if not certs:
        raise ImproperlyConfigured("The PDF signing certificate is empty.")
    if not settings.PDF_SIGNING_DEV_PAIR and DEV_MARK in certs[0].subject.human_friendly:
        raise ImproperlyConfigured(
            "The development signing certificate is configured while PDF_SIGNING_DEV_PAIR is off "
            "(production): supply the guarantor's own key and certificate."
        )
    chain = list(load_certs_from_pemder_data(material.chain_pem)) if material.chain_pem else []
    return _LoadedKeySigner(
        signing_cert=certs[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([*certs[1:], *chain]),
    )


def _reserved_size(signer: signers.SimpleSigner) -> int:
    """Room for the CMS container: the embedded certificates plus a generous margin for the
    signature value (up to RSA-4096) and the signed attributes. Passing it skips pyHanko's dry-run
    signature, which otherwise builds the whole container twice per PDF."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    container = sum(len(cert.dump()) for cert in certificates) + 4096
    return 2 * container  # hexadecimal in the PDF: two characters a byte


def signing_certificate() -> asn1_x509.Certificate:
    """The certificate the portal signs with (for the docs page and tests)."""
    return _signer().signing_cert


def reset_signer() -> None:
    """Forget the loaded key (after the settings or the files changed: tests, key rotation)."""
    _signer.cache_clear()


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """``pdf`` with the guarantor's certification signature appended (an incremental update)."""
    signer = _signer()
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=signer)

    def sign() -> bytes:
        return pdf_signer.sign_pdf(writer, bytes_reserved=_reserved_size(signer)).getvalue()

    # pyHanko's synchronous API runs its own event loop (asyncio.run), which cannot start in a
    # thread whose loop is already running (an async view, a test driving a browser): sign in a
    # worker thread then.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(sign).result()


# --- The development pair ---------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"西日本建設業保証株式会社{DEV_MARK}"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def configured_pair_paths() -> dict[str, Path]:
    """Where the settings expect the key, the certificate and the root of the chain."""
    key_path = Path(settings.PDF_SIGNING_KEY)
    chain = settings.PDF_SIGNING_CHAIN
    return {
        "key_path": key_path,
        "cert_path": Path(settings.PDF_SIGNING_CERT),
        "root_path": Path(chain[0]) if chain else key_path.parent / DEV_ROOT_NAME,
    }


def pair_paths_in(directory: Path) -> dict[str, Path]:
    return {
        "key_path": directory / DEV_KEY_NAME,
        "cert_path": directory / DEV_CERT_NAME,
        "root_path": directory / DEV_ROOT_NAME,
    }


def create_development_pair(*, key_path: Path, cert_path: Path, root_path: Path, overwrite: bool) -> bool:
    """Write a development root CA and a signing key + certificate issued by it.

    Returns False when a pair is already there (and ``overwrite`` is off). Safe to call from several
    processes at once: creation happens under a file lock, and files appear by atomic rename.
    """
    for folder in {key_path.parent, cert_path.parent, root_path.parent}:
        folder.mkdir(parents=True, exist_ok=True)
    with open(key_path.parent / ".signing-pair.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not overwrite and key_path.exists() and cert_path.exists():
            return False
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root_name = _name("開発用ルート認証局")
        root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("電子証書署名（開発用）"))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_atomically(root_path, _pem(root), mode=0o644)
        _write_atomically(cert_path, _pem(cert), mode=0o644)
        _write_atomically(key_path, key_pem, mode=0o600)
    reset_signer()
    return True


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
