"""aduan's SQLAlchemy 2 data model. Importing this package registers every table."""

from models.agency import Agency, AgencyFunction
from models.base import Base, utcnow
from models.complaint import Attachment, Complaint, FollowUp, IntakeReceipt, ResponseTemplate
from models.enums import (
    AgencyLevel,
    ComplaintStatus,
    RegionLevel,
    RejectReason,
    SourceKind,
    SourceRunStatus,
    TriageState,
    UserRole,
)
from models.event import AppendOnlyError, Event, record_event
from models.fingerprint import ItemBucket, ItemFingerprint
from models.item import (
    InvalidTransition,
    Item,
    ItemSuggestion,
    TriageDecision,
)
from models.queue_cluster import QueueCluster, refresh_queue_clusters
from models.region import Region
from models.reminder import ReminderSent
from models.source import Source, SourceRun
from models.user import User
from models.web import ApiToken, SavedFilter, ThrottleHit, WebSession
from models.work_calendar import WorkDay, ensure_work_calendar

__all__ = [
    "Agency",
    "AgencyFunction",
    "AgencyLevel",
    "ApiToken",
    "AppendOnlyError",
    "Attachment",
    "Base",
    "Complaint",
    "ComplaintStatus",
    "Event",
    "FollowUp",
    "IntakeReceipt",
    "InvalidTransition",
    "Item",
    "ItemBucket",
    "ItemFingerprint",
    "ItemSuggestion",
    "QueueCluster",
    "Region",
    "RegionLevel",
    "RejectReason",
    "ReminderSent",
    "ResponseTemplate",
    "SavedFilter",
    "Source",
    "SourceKind",
    "SourceRun",
    "SourceRunStatus",
    "ThrottleHit",
    "TriageDecision",
    "TriageState",
    "User",
    "UserRole",
    "WebSession",
    "WorkDay",
    "ensure_work_calendar",
    "record_event",
    "refresh_queue_clusters",
    "utcnow",
]
