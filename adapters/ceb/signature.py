"""The XML signature a CEB621 must carry, as an unsigned template for a hub without a key.

The customs' schema requires ``ds:Signature`` on an inventory (an SM2 signature over SM3
digests, made with the declaring enterprise's IC card or key). A hub given a signing key signs
every CEB declaration it writes (``RenderContext.signer``, :mod:`hub.signatures`). Without one it
writes the enveloped-signature structure with the 2022 algorithm identifiers and empty
DigestValue/SignatureValue: the sender's signing step (the e-port client) fills them in before
the inventory goes to the customs. A signature on a message the hub reads is checked by the
sender's policy (:func:`hub.signatures.check`), never kept in the canonical model.
"""

from __future__ import annotations

from lxml import etree

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
ENVELOPED = DS_NS + "enveloped-signature"


def _ds(parent: etree._Element | None, tag: str, **attrib: str) -> etree._Element:
    name = f"{{{DS_NS}}}{tag}"
    if parent is None:
        return etree.Element(name, attrib, nsmap={"ds": DS_NS})
    return etree.SubElement(parent, name, attrib)


def template() -> etree._Element:
    """An enveloped SM2/SM3 ``ds:Signature`` over the whole document, values left empty."""
    signature = _ds(None, "Signature")
    info = _ds(signature, "SignedInfo")
    _ds(info, "CanonicalizationMethod", Algorithm=C14N)
    _ds(info, "SignatureMethod", Algorithm=SM2_SM3)
    reference = _ds(info, "Reference", URI="")
    _ds(_ds(reference, "Transforms"), "Transform", Algorithm=ENVELOPED)
    _ds(reference, "DigestMethod", Algorithm=SM3)
    _ds(reference, "DigestValue")
    _ds(signature, "SignatureValue")
    return signature
