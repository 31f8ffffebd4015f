"""
signalwire-orders: a typed asyncio client for SignalWire's Campaign Registry (10DLC).

Example::

    from signalwire_orders import Client

    async with Client() as client:  # SIGNALWIRE_SPACE, _PROJECT_ID, _API_TOKEN
        async for order in client.orders.list(campaign_id, state="pending"):
            print(order.id, order.state)
"""

from ._bulk import ResultStream
from ._client import Client
from ._client import package_version as _package_version
from ._engine import Stats
from ._errors import (
    APIConnectionError,
    APIErrorItem,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    OutcomeUnknownError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
)
from ._export import ExportSummary, export_orders
from ._hooks import Hooks, PageEvent, RequestEvent, RetryEvent
from ._models import (
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignResult,
    CampaignState,
    CompanyVertical,
    LegalEntityType,
    Links,
    Order,
    OrderState,
    Page,
    RateLimit,
)
from ._names import publish_names as _publish_names
from ._requests import (
    CspBrandRequest,
    ManagedBrandRequest,
    ManagedCampaignRequest,
    PartnerCampaignRequest,
)
from ._retry import RetryPolicy

__version__ = _package_version()


__all__ = [
    "APIConnectionError",
    "APIErrorItem",
    "APIStatusError",
    "APITimeoutError",
    "AssignedNumber",
    "AssignedPhoneNumber",
    "AssignmentState",
    "AuthenticationError",
    "BadRequestError",
    "Brand",
    "BrandState",
    "Campaign",
    "CampaignResult",
    "CampaignState",
    "Client",
    "CompanyVertical",
    "ConfigurationError",
    "CspBrandRequest",
    "ExportSummary",
    "Hooks",
    "LegalEntityType",
    "Links",
    "ManagedBrandRequest",
    "ManagedCampaignRequest",
    "NotFoundError",
    "Order",
    "OrderState",
    "OutcomeUnknownError",
    "Page",
    "PageEvent",
    "PaginationError",
    "PartnerCampaignRequest",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RequestEvent",
    "ResponseError",
    "ResultStream",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "SignalWireError",
    "Stats",
    "UnprocessableEntityError",
    "__version__",
    "export_orders",
]

_publish_names(globals(), private="signalwire_orders._")
