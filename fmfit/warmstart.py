"""The warm start: a small model that proposes algorithms and starting patches.

It is a nearest-neighbour model over a bank of rendered patches (drawn from a prior
learned from real patches): the target's features (fmfit.features) find the bank
renders that look most alike, and their patches become the search's starting points.
Which algorithms to try first is a multi-label classifier (AlgorithmNet: P(algorithm a
can play this sound exactly), fmfit.algorithms's rule) blended with a distance-weighted
vote of the neighbours over the algorithms that can play each of them: a sound that
several algorithms can make counts for all of them, which is what the search needs.
Stored as plain arrays (.npz) so that loading needs no pickle and no matching
scikit-learn version; the neighbour index is rebuilt on load (it takes milliseconds).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors

from emulator import params as P

from . import features as F

MODEL_VERSION = 4
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "models" / "warmstart.npz"
EARLY_STOPPING_HELD_OUT = 0.1   # the classifier's rows kept out of training to decide when to stop


class ModelError(Exception):
    """The warm-start model is missing, corrupt or of another version."""


@dataclass
class AlgorithmNet:
    """P(algorithm a can play this sound), for each a: a small multi-label perceptron
    (ReLU hidden layers, logistic outputs) on standardised features, kept as plain arrays
    so that loading needs no pickle; fitted by scikit-learn's MLPClassifier."""

    mean: np.ndarray
    scale: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @classmethod
    def fit(cls, features: np.ndarray, reachable: np.ndarray, hidden=(256, 128), seed: int = 0) -> "AlgorithmNet":
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        features = np.asarray(features, np.float64)
        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-3
        # early stopping holds some rows out, so a small bank trains on fewer rows than it has
        train_rows = len(features) - int(np.ceil(EARLY_STOPPING_HELD_OUT * len(features)))
        net = MLPClassifier(hidden, alpha=1e-4, batch_size=max(1, min(256, train_rows)), max_iter=60,
                            early_stopping=True, validation_fraction=EARLY_STOPPING_HELD_OUT, random_state=seed)
        with warnings.catch_warnings():          # max_iter is a deliberate cap on training time
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit((features - mean) / scale, np.asarray(reachable, int))
        return cls(mean.astype(np.float32), scale.astype(np.float32),
                   [w.astype(np.float32) for w in net.coefs_], [b.astype(np.float32) for b in net.intercepts_])

    def predict(self, features: np.ndarray) -> np.ndarray:
        """(n, 8) probabilities, each in (0, 1): the forward pass of MLPClassifier."""
        h = (np.atleast_2d(np.asarray(features, np.float32)) - self.mean) / self.scale
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = np.maximum(h @ w + b, 0)
        logits = np.clip(h @ self.weights[-1] + self.biases[-1], -60, 60)     # exp stays finite
        return 1 / (1 + np.exp(-logits))


@dataclass
class WarmStart:
    """fit(features, vectors) / propose(features) in the manner of a scikit-learn estimator."""

    n_neighbors: int = 48
    vote_neighbors: int = 32
    net: AlgorithmNet | None = None
    net_weight: float = 0.5          # the classifier's share of the algorithm scores

    def fit(self, features: np.ndarray, vectors: np.ndarray, reachable: np.ndarray | None = None,
            shifts: np.ndarray | None = None) -> "WarmStart":
        """features (n, features.SIZE), patch vectors (n, params.SIZE); `reachable` (n, 8)
        marks the algorithms that can play each patch (computed when not given); `shifts`
        (n,) the semitones from where each render was heard to the note it was played at
        (note_shifts; 0 when not given)."""
        features = np.asarray(features, np.float32)
        vectors = np.asarray(vectors, np.int64)
        if features.ndim != 2 or features.shape[1] != F.SIZE:
            raise ValueError(f"features must have shape (n, {F.SIZE}), got {features.shape}")
        if vectors.shape != (features.shape[0], P.SIZE):
            raise ValueError(f"vectors must have shape ({features.shape[0]}, {P.SIZE}), got {vectors.shape}")
        if not np.all(np.isfinite(features)):
            raise ValueError("features hold NaN or infinite values")
        self.features_ = features
        self.vectors_ = vectors
        self.shifts_ = np.zeros(len(vectors), np.int64) if shifts is None else np.asarray(shifts, np.int64)
        if self.shifts_.shape != (len(vectors),):
            raise ValueError(f"shifts must have shape ({len(vectors)},), got {self.shifts_.shape}")
        self.reachable_ = reachable_matrix(vectors) if reachable is None else np.asarray(reachable, bool)
        self._index()
        return self

    def _index(self):
        self.mean_ = self.features_.mean(axis=0)
        self.scale_ = self.features_.std(axis=0) + 1e-3
        z = (self.features_ - self.mean_) / self.scale_
        self.neighbours_ = NearestNeighbors(n_neighbors=min(max(self.n_neighbors, self.vote_neighbors), len(z))).fit(z)

    def algorithm_probabilities(self, features: np.ndarray) -> np.ndarray:
        """For each row of features, a score per algorithm (n, 8), summing to 1: the
        classifier's P(algorithm can play it), normalised, blended with neighbour_vote."""
        votes = self.neighbour_vote(features)
        if self.net is None:
            return votes
        p = self.net.predict(features).astype(np.float64)
        p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        return self.net_weight * p + (1 - self.net_weight) * votes

    def neighbour_vote(self, features: np.ndarray) -> np.ndarray:
        """(n, 8) summing to 1: the nearest bank renders' distance-weighted vote for the
        algorithms that can play them."""
        z = (np.atleast_2d(features) - self.mean_) / self.scale_
        dist, idx = self.neighbours_.kneighbors(z, n_neighbors=min(self.vote_neighbors, len(self.vectors_)))
        weights = 1.0 / np.maximum(dist, 1e-6)
        votes = np.einsum("nk,nka->na", weights, self.reachable_[idx].astype(np.float64))
        return votes / votes.sum(axis=1, keepdims=True)

    def propose(self, features: np.ndarray, k: int | None = None) -> np.ndarray:
        """The patch vectors of the k nearest bank renders, nearest first (distinct)."""
        return self.propose_notes(features, k)[0]

    def propose_notes(self, features: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """propose's patch vectors, and for each the semitones from the target's heard pitch
        to the note it should be played at: a render heard an octave below the note it was
        played at (a x0.5 operator) proposes its patch an octave above the heard pitch."""
        z = (np.atleast_2d(features)[:1] - self.mean_) / self.scale_
        _, idx = self.neighbours_.kneighbors(z, n_neighbors=min(k or self.n_neighbors, len(self.vectors_)))
        _, first = np.unique(self.vectors_[idx[0]], axis=0, return_index=True)
        rows = idx[0][np.sort(first)]
        return self.vectors_[rows], self.shifts_[rows]

    # -- storage ----------------------------------------------------------------------
    def save(self, path, card: dict) -> None:
        from .atomic import write_atomic
        import io

        buf = io.BytesIO()
        np.savez_compressed(
            buf, version=np.int64(MODEL_VERSION), feature_size=np.int64(F.SIZE),
            features=self.features_.astype(np.float16), vectors=self.vectors_.astype(np.int8),
            reachable=np.packbits(self.reachable_, axis=1), shifts=self.shifts_.astype(np.int8),
            n_neighbors=np.int64(self.n_neighbors), vote_neighbors=np.int64(self.vote_neighbors),
            card=np.frombuffer(json.dumps(card).encode(), np.uint8), **_net_arrays(self.net, self.net_weight))
        write_atomic(path, buf.getvalue(), force=True)

    @classmethod
    def load(cls, path) -> "WarmStart":
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path}: no warm-start model (run `fmfit train`, or match with --no-warm-start)")
        try:
            with np.load(path, allow_pickle=False) as z:
                version, size = int(z["version"]), int(z["feature_size"])
                if version != MODEL_VERSION or size != F.SIZE:
                    raise ModelError(f"{path}: model version {version} (features {size}); this fmfit needs "
                                     f"version {MODEL_VERSION} (features {F.SIZE}): run `fmfit train`")
                model = cls(int(z["n_neighbors"]), int(z["vote_neighbors"]))
                model.features_ = z["features"].astype(np.float32)
                model.vectors_ = z["vectors"].astype(np.int64)
                model.reachable_ = np.unpackbits(z["reachable"], axis=1)[:, :8].astype(bool)
                model.shifts_ = z["shifts"].astype(np.int64)
                model.card = json.loads(bytes(z["card"]).decode())
                model.net, model.net_weight = _net_from_arrays(z)
        except ModelError:
            raise
        except Exception as e:
            raise ModelError(f"{path}: not a readable warm-start model ({type(e).__name__}: {e})") from None
        if model.net is not None and not _net_fits(model.net):
            raise ModelError(f"{path}: corrupt warm-start model (bad classifier weights)")
        if model.vectors_.ndim != 2 or model.vectors_.shape[1] != P.SIZE or \
                len(model.vectors_) != len(model.features_) or len(model.reachable_) != len(model.vectors_) or \
                model.shifts_.shape != (len(model.vectors_),) or \
                np.any(model.vectors_ < 0) or np.any(model.vectors_ > P.MAXIMA):
            raise ModelError(f"{path}: corrupt warm-start model (bad patch table)")
        model._index()
        return model


@lru_cache(maxsize=2)
def load_default(path: str | None = None) -> WarmStart:
    """The shipped model, loaded once per process ($FMFIT_MODEL overrides the path)."""
    return WarmStart.load(path or os.environ.get("FMFIT_MODEL") or DEFAULT_PATH)


def note_shifts(features: np.ndarray, notes: np.ndarray) -> np.ndarray:
    """Semitones from the pitch each render was heard at (in its features) to the MIDI
    note it was played at."""
    return np.rint(np.asarray(notes, np.float64) - F.heard_midi(features)).astype(np.int64)


def reachable_matrix(vectors: np.ndarray) -> np.ndarray:
    """(n, 8) booleans: which algorithms can play each patch vector exactly."""
    from .algorithms import reachable_algorithms
    from .patch import Patch

    out = np.zeros((len(vectors), 8), bool)
    for i, v in enumerate(vectors):
        out[i, list(reachable_algorithms(Patch.from_params(v)))] = True
    return out


def _net_arrays(net: AlgorithmNet | None, weight: float) -> dict:
    """The classifier as named plain arrays for the .npz (no pickle)."""
    if net is None:
        return {"net_layers": np.int64(0)}
    out = {"net_layers": np.int64(len(net.weights)), "net_weight": np.float64(weight),
           "net_mean": net.mean, "net_scale": net.scale}
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        out[f"net_w{i}"], out[f"net_b{i}"] = w, b
    return out


def _net_from_arrays(z) -> tuple[AlgorithmNet | None, float]:
    layers = int(z["net_layers"])
    if layers == 0:
        return None, 0.0
    net = AlgorithmNet(z["net_mean"].astype(np.float32), z["net_scale"].astype(np.float32),
                       [z[f"net_w{i}"].astype(np.float32) for i in range(layers)],
                       [z[f"net_b{i}"].astype(np.float32) for i in range(layers)])
    return net, float(z["net_weight"])


def _net_fits(net: AlgorithmNet) -> bool:
    """Whether the layers chain from F.SIZE features to 8 outputs, all finite."""
    width = F.SIZE
    if net.mean.shape != (width,) or net.scale.shape != (width,) or np.any(net.scale <= 0):
        return False
    for w, b in zip(net.weights, net.biases):
        if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
            return False
        width = w.shape[1]
    arrays = [net.mean, net.scale, *net.weights, *net.biases]
    return width == 8 and all(np.all(np.isfinite(a)) for a in arrays)
