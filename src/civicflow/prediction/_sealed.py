"""Sealing a trained predictor for storage: pickle bytes behind an HMAC-SHA256 tag.

A pickle runs code when it is loaded, so a stored model is only unpickled after its tag checks
out with the installation's key: a blob that someone else wrote (or changed) in the database is
refused, not executed. The tag also covers the scikit-learn version the model was pickled with,
since scikit-learn does not promise to load models across versions: a model from another version
is refused too, and the next scheduled training replaces it.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle  # nosec B403

from civicflow.prediction._errors import PredictionError
from civicflow.prediction._predictor import Predictor

__all__ = ["seal", "unseal"]

_MAGIC = b"CFP1"
_TAG = 32


def _library() -> bytes:
    import sklearn

    return str(sklearn.__version__).encode()


def _tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, _MAGIC + _library() + b"\0" + body, hashlib.sha256).digest()


def seal(predictor: Predictor, key: bytes) -> bytes:
    """The predictor as bytes: magic, HMAC tag, pickle."""
    if len(key) < 16:
        raise PredictionError("the sealing key must be at least 16 bytes")
    body = pickle.dumps(predictor, protocol=pickle.HIGHEST_PROTOCOL)
    return _MAGIC + _tag(key, body) + body


def unseal(blob: bytes, key: bytes) -> Predictor:
    """The predictor in ``blob`` if its tag checks out with ``key``; PredictionError otherwise."""
    if len(blob) < len(_MAGIC) + _TAG or not blob.startswith(_MAGIC):
        raise PredictionError("not a sealed CivicFlow prediction model")
    tag, body = blob[len(_MAGIC) : len(_MAGIC) + _TAG], blob[len(_MAGIC) + _TAG :]
    if not hmac.compare_digest(tag, _tag(key, body)):
        raise PredictionError(
            "the stored model's signature does not match (another key, another scikit-learn version, or altered)"
        )
    # the tag above proves that this installation wrote these bytes
    predictor = pickle.loads(body)  # noqa: S301  # nosec B301
    if not isinstance(predictor, Predictor):
        raise PredictionError("the sealed blob does not hold a predictor")
    return predictor
