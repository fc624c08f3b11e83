"""The portal's document-signing key: PAdES signatures on every document, and their checking.

A demo key and self-signed certificate are generated into instance/signing/ on first use;
production sets PORTAL_SIGNING_KEY and PORTAL_SIGNING_CERT to a real key and certificate (PEM).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class SigningKey:
    key_path: Path
    cert_path: Path


def demo_key(folder: Path) -> SigningKey:
    """The key in `folder`, made (EC P-256, self-signed for ten years) if it is not there yet."""
    key_path, cert_path = folder / "document-signing-key.pem", folder / "document-signing-cert.pem"
    if not key_path.exists() or not cert_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Case Transparency Portal (demo signing key)"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Case Transparency Portal")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_path.chmod(0o600)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return SigningKey(key_path, cert_path)


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """pyHanko rewrites the XMP metadata when it signs, dropping the PDF/A and PDF/UA
    identification WeasyPrint wrote there; the signature needs none of it, so keep it as it is."""

    def _update_meta(self):
        return None


def sign(pdf: bytes, key: SigningKey) -> bytes:
    signer = signers.SimpleSigner.load(str(key.key_path), str(key.cert_path))
    writer = _MetadataKeepingWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="PortalSignature", subfilter=SigSeedSubFilter.PADES,
                                        reason="Issued by the Case Transparency Portal")
    out = BytesIO()
    signers.sign_pdf(writer, meta, signer=signer, output=out)
    return out.getvalue()


def signature_valid(pdf: bytes, key: SigningKey) -> bool:
    """True when the file carries one intact signature by this key covering the whole file."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        trust = asn1_x509.Certificate.load(x509.load_pem_x509_certificate(key.cert_path.read_bytes())
                                           .public_bytes(serialization.Encoding.DER))
        # pyHanko validates with asyncio.run(), which refuses to start inside a thread that already
        # runs an event loop (an async server, a test driving a browser): give it its own thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            status = pool.submit(validate_pdf_signature, signatures[0],
                                 ValidationContext(trust_roots=[trust])).result()
        return bool(status.intact and status.valid and status.trusted
                    and status.coverage.name == "ENTIRE_FILE")
    except Exception:  # noqa: BLE001 (anything unreadable is simply not a valid document)
        return False
