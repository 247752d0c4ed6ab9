"""Where plans are kept: the store interface and its backends, chosen by a database URL."""

from sigworkbook.store.interface import (
    Change,
    ChangeFeed,
    Compute,
    NewerSchema,
    NotOurDatabase,
    Presence,
    SigExists,
    Snapshot,
    Store,
    StoreBusy,
    StoreError,
    StoreUnreachable,
    UnknownSig,
    Validate,
    Visitor,
)
from sigworkbook.store.urls import database_url, mask_password, open_store

__all__ = [
    "Change",
    "ChangeFeed",
    "Compute",
    "NewerSchema",
    "NotOurDatabase",
    "Presence",
    "SigExists",
    "Snapshot",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnreachable",
    "UnknownSig",
    "Validate",
    "Visitor",
    "database_url",
    "mask_password",
    "open_store",
]
