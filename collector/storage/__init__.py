"""Every SQL statement Anbefal runs, behind named functions, one module per concern.

Views, the command line and the benchmarks call these functions (as
`storage.insert_response(...)`) and never write SQL themselves, so the schema
and its queries can be read, and changed, in one place:

- connection: connections, transactions and the writers' turn
- group_commit: the answers that arrive together share one commit
- migrations: the schema, as named migrations applied in order
- stored_settings: values made once and shared by every worker (the secret key)
- touchpoints, responses, users, api_keys, rate_limits, visitors: one table's
  rows each (responses: storing and changing answers)
- filters: what a report, list or export selects, and the NPS categories in SQL
- reports: the overview's figures; listing: answers a page at a time;
  export: answers for CSV
- maintenance: backups, forgetting a customer, retention, the hourly turn
- faults: a full disk, a read-only or busy database, told apart; health: the
  check at start and the health check's write probe
- webhooks: webhook endpoints, and leases (work one process does for all)
- outbox: webhook events waiting to be sent, queued in the answer's own
  statement by triggers (webhook_schema: the tables and the triggers)
"""

from .api_keys import ApiKey, insert_api_key, list_api_keys, revoke_api_key, use_api_key
from .connection import (
    Connection,
    close_connections,
    connect,
    get_connection,
    is_reachable,
    reopen_connections,
    transaction,
    writers_turn,
)
from .drivers import (
    RATINGS_JSON,
    Driver,
    Moments,
    add_driver,
    driver_columns,
    driver_moments,
    driver_moments_by_touchpoint,
    drivers_by_touchpoint,
    insert_ratings_bulk,
    list_drivers,
    rating_sql,
    remove_driver,
)
from .export import FORMULA_STARTS, inert_sql, iter_export_cells, iter_export_rows
from .faults import FAULTS, Fault
from .faults import classify as classify_fault
from .filters import FOLLOWUP_STATUSES, FOLLOWUP_VIEWS, ResponseFilter
from .group_commit import GroupCommitter, group_committer
from .health import UnusableDatabase, check_usable, damaged, is_damage, probe_write
from .listing import SEARCH_WALK_FROM, Cursor, ResponsePage, count_followup, fts_query, list_responses
from .maintenance import (
    Backup,
    BackupError,
    backup_database,
    backup_to,
    check_integrity,
    claim_maintenance,
    count_responses_before,
    count_responses_in,
    delete_responses_before,
    forget_ref,
)
from .migrations import MIGRATIONS, migrate
from .outbox import (
    EVENT_TYPES,
    FOLLOWUP_UPDATED,
    RESPONSE_CREATED,
    RESPONSE_UPDATED,
    WEBHOOK_TEST,
    Attempt,
    Delivery,
    count_pending_deliveries,
    delete_deliveries_before,
    due_deliveries,
    get_delivery,
    queue_test_event,
    recent_deliveries,
    record_attempt,
    record_attempts,
    resend_delivery,
)
from .rate_limits import clear_rate_limit, delete_expired_rate_limits, rate_limit_count, rate_limit_hit
from .reports import (
    analyse,
    breakdown_counts,
    category_counts_by_touchpoint,
    open_detractors_by_touchpoint,
    property_keys,
    recent_property_keys,
    score_counts_by_period,
)
from .responses import (
    count_responses,
    get_response,
    insert_response,
    insert_responses_bulk,
    set_followup,
    store_visitor_response,
    update_response,
    upsert_link_response,
)
from .stored_settings import get_or_create_secret_key, get_or_create_setting
from .touchpoints import (
    DuplicateName,
    Touchpoint,
    get_touchpoint,
    get_touchpoint_by_name,
    get_touchpoint_shared,
    insert_touchpoint,
    list_touchpoints,
    update_touchpoint,
)
from .users import (
    DuplicateUser,
    User,
    delete_user,
    end_admin_session,
    get_user,
    get_user_by_email,
    insert_user,
    list_users,
    set_user_password,
    start_admin_session,
    user_for_admin_session,
)
from .visitors import clear_visitors_before, delete_visitor_salts_before, get_or_create_visitor_salt
from .webhooks import (
    WebhookEndpoint,
    claim_lease,
    delete_webhook_endpoint,
    disable_webhook_endpoint,
    get_webhook_endpoint,
    insert_webhook_endpoint,
    lease_holder,
    list_webhook_endpoints,
    pause_webhook_endpoint,
    release_lease,
)

__all__ = [
    "MIGRATIONS",
    "FORMULA_STARTS",
    "FOLLOWUP_STATUSES",
    "FOLLOWUP_VIEWS",
    "SEARCH_WALK_FROM",
    "ApiKey",
    "Backup",
    "BackupError",
    "Connection",
    "Cursor",
    "DuplicateName",
    "DuplicateUser",
    "GroupCommitter",
    "ResponseFilter",
    "ResponsePage",
    "Touchpoint",
    "User",
    "analyse",
    "backup_database",
    "backup_to",
    "breakdown_counts",
    "category_counts_by_touchpoint",
    "check_integrity",
    "claim_maintenance",
    "clear_rate_limit",
    "clear_visitors_before",
    "close_connections",
    "connect",
    "count_followup",
    "count_responses",
    "count_responses_before",
    "count_responses_in",
    "delete_expired_rate_limits",
    "delete_responses_before",
    "delete_user",
    "delete_visitor_salts_before",
    "end_admin_session",
    "forget_ref",
    "fts_query",
    "get_connection",
    "get_or_create_secret_key",
    "get_or_create_setting",
    "get_or_create_visitor_salt",
    "get_response",
    "get_touchpoint",
    "get_touchpoint_by_name",
    "get_touchpoint_shared",
    "get_user",
    "get_user_by_email",
    "group_committer",
    "inert_sql",
    "insert_api_key",
    "insert_response",
    "insert_responses_bulk",
    "insert_touchpoint",
    "insert_user",
    "is_reachable",
    "iter_export_cells",
    "iter_export_rows",
    "list_api_keys",
    "list_responses",
    "list_touchpoints",
    "list_users",
    "migrate",
    "open_detractors_by_touchpoint",
    "property_keys",
    "rate_limit_count",
    "rate_limit_hit",
    "recent_property_keys",
    "revoke_api_key",
    "score_counts_by_period",
    "set_followup",
    "set_user_password",
    "start_admin_session",
    "store_visitor_response",
    "transaction",
    "update_response",
    "update_touchpoint",
    "upsert_link_response",
    "use_api_key",
    "user_for_admin_session",
    "writers_turn",
    "reopen_connections",
    "FAULTS",
    "Fault",
    "classify_fault",
    "UnusableDatabase",
    "check_usable",
    "damaged",
    "is_damage",
    "probe_write",
    "EVENT_TYPES",
    "FOLLOWUP_UPDATED",
    "RESPONSE_CREATED",
    "RESPONSE_UPDATED",
    "WEBHOOK_TEST",
    "Delivery",
    "count_pending_deliveries",
    "delete_deliveries_before",
    "due_deliveries",
    "get_delivery",
    "queue_test_event",
    "recent_deliveries",
    "record_attempt",
    "resend_delivery",
    "WebhookEndpoint",
    "claim_lease",
    "delete_webhook_endpoint",
    "disable_webhook_endpoint",
    "get_webhook_endpoint",
    "insert_webhook_endpoint",
    "list_webhook_endpoints",
    "pause_webhook_endpoint",
    "release_lease",
    "lease_holder",
    "Attempt",
    "record_attempts",
    "RATINGS_JSON",
    "Driver",
    "Moments",
    "add_driver",
    "driver_columns",
    "driver_moments",
    "driver_moments_by_touchpoint",
    "drivers_by_touchpoint",
    "insert_ratings_bulk",
    "list_drivers",
    "rating_sql",
    "remove_driver",
]
