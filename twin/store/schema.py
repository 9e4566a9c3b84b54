"""The tables of the twin, in SQLAlchemy Core, portable between SQLite and PostgreSQL.

Rooms are never deleted: a room that leaves the model is retired and keeps its
code, history and edits. Local edits (`room_edits`) live apart from what the model
says, so a re-import never overwrites them.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)

__all__ = ["ADDED_INDEXES", "metadata"]

metadata = MetaData()

sites = Table(
    "sites",
    metadata,
    Column("site_code", String(8), primary_key=True),
    Column("global_id", String(64)),
    Column("name", Text, nullable=False),
    Column("long_name", Text),
    Column("epsg", Integer),
    Column("crs_name", Text),
    Column("eastings_m", Float),
    Column("northings_m", Float),
    Column("orthogonal_height_m", Float),
    Column("x_axis_abscissa", Float),
    Column("x_axis_ordinate", Float),
    Column("scale", Float),
    Column("latitude_deg", Float),
    Column("longitude_deg", Float),
    Column("elevation_m", Float),
    Column("true_north_deg", Float),
)

buildings = Table(
    "buildings",
    metadata,
    Column("building_code", String(16), primary_key=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("number", String(3), nullable=False),
    Column("name", Text, nullable=False),
    Column("long_name", Text),
)

building_global_ids = Table(
    "building_global_ids",
    metadata,
    Column("global_id", String(64), primary_key=True),
    Column("site_code", ForeignKey("sites.site_code"), primary_key=True),
    Column("building_code", ForeignKey("buildings.building_code"), nullable=False),
)

model_files = Table(
    "model_files",
    metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("building_code", ForeignKey("buildings.building_code")),
    Column("schema", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("imported_at", String(32), nullable=False),
    UniqueConstraint("site_code", "file_name"),
)

storeys = Table(
    "storeys",
    metadata,
    Column("storey_code", String(24), primary_key=True),
    Column("building_code", ForeignKey("buildings.building_code"), nullable=False),
    Column("code", String(3), nullable=False),
    Column("name", Text, nullable=False),
    Column("elevation_m", Float, nullable=False),
)

storey_global_ids = Table(
    "storey_global_ids",
    metadata,
    Column("global_id", String(64), primary_key=True),
    Column("building_code", ForeignKey("buildings.building_code"), primary_key=True),
    Column("storey_code", ForeignKey("storeys.storey_code"), nullable=False),
)

storey_counters = Table(
    "storey_counters",
    metadata,
    Column("storey_code", ForeignKey("storeys.storey_code"), primary_key=True),
    Column("highest_room_number", Integer, nullable=False),
)

rooms = Table(
    "rooms",
    metadata,
    Column("room_code", String(32), primary_key=True),
    Column("building_code", ForeignKey("buildings.building_code"), nullable=False),
    Column("storey_code", ForeignKey("storeys.storey_code"), nullable=False),
    Column("room_number", Integer, nullable=False),
    Column("global_id", String(64), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("long_name", Text),
    Column("object_type", Text),
    Column("usage", String(32), nullable=False),
    Column("usage_matched", Text),
    Column("net_floor_area_m2", Float),
    Column("area_source", Text),
    Column("declared_area_m2", Float),
    Column("height_m", Float),
    Column("volume_m3", Float),
    Column("floor_elevation_m", Float),
    Column("finish_ceiling_m", Float),
    Column("void_top_m", Float),
    Column("floor_bottom_m", Float),
    Column("footprint_wkb", LargeBinary),
    Column("created_at", String(32), nullable=False),
    Column("retired_at", String(32)),
    Index("ix_rooms_storey", "storey_code"),
    Index("ix_rooms_global_id", "global_id"),
    # Rooms of one building (API filters, labels, GLB, snapshots) without a table scan.
    Index("ix_rooms_building_status", "building_code", "status"),
)

room_edits = Table(
    "room_edits",
    metadata,
    Column("room_code", ForeignKey("rooms.room_code"), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("value", Text),
    Column("edited_at", String(32), nullable=False),
)

room_events = Table(
    "room_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("room_code", ForeignKey("rooms.room_code"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("detail", Text),
    Index("ix_room_events_room", "room_code"),
)

element_counters = Table(
    "element_counters",
    metadata,
    Column("prefix", String(16), primary_key=True),
    Column("highest_number", Integer, nullable=False),
)

elements = Table(
    "elements",
    metadata,
    Column("element_id", String(32), primary_key=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("building_code", ForeignKey("buildings.building_code")),
    Column("storey_code", ForeignKey("storeys.storey_code")),
    Column("global_id", String(64), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("ifc_class", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("name", Text),
    Column("type_name", Text),
    Column("predefined_type", String(64)),
    Column("medium", String(32)),
    Column("outer_diameter_m", Float),
    Column("axis_json", Text),
    Column("normally_open", Boolean),
    Column("valve_type", String(32)),
    Index("ix_elements_file", "site_code", "source_file", "global_id"),
    Index("ix_elements_building", "building_code", "kind"),
)

systems = Table(
    "systems",
    metadata,
    Column("system_id", Integer, primary_key=True, autoincrement=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("building_code", ForeignKey("buildings.building_code")),
    Column("global_id", String(64), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("predefined_type", String(64)),
    Column("medium", String(32), nullable=False),
)

element_systems = Table(
    "element_systems",
    metadata,
    Column("element_id", ForeignKey("elements.element_id"), primary_key=True),
    Column("system_id", ForeignKey("systems.system_id"), primary_key=True),
)

ports = Table(
    "ports",
    metadata,
    Column("port_id", Integer, primary_key=True, autoincrement=True),
    Column("element_id", ForeignKey("elements.element_id"), nullable=False),
    Column("global_id", String(64), nullable=False),
    Column("flow_direction", String(16), nullable=False),
    Column("x_m", Float),
    Column("y_m", Float),
    Column("z_m", Float),
    Index("ix_ports_element", "element_id"),
)

connections = Table(
    "connections",
    metadata,
    Column("connection_id", Integer, primary_key=True, autoincrement=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("port_from", ForeignKey("ports.port_id"), nullable=False),
    Column("port_to", ForeignKey("ports.port_id"), nullable=False),
    Column("element_from", ForeignKey("elements.element_id"), nullable=False),
    Column("element_to", ForeignKey("elements.element_id"), nullable=False),
    Column("declared", Boolean, nullable=False),
    Column("directed", Boolean, nullable=False),
    Column("relation_global_id", String(64)),
    Column("source_file", Text),
    Index("ix_connections_from", "element_from"),
    Index("ix_connections_to", "element_to"),
)

runs_through = Table(
    "runs_through",
    metadata,
    Column("element_id", ForeignKey("elements.element_id"), primary_key=True),
    Column("room_code", ForeignKey("rooms.room_code"), primary_key=True),
    Column("where", String(8), primary_key=True),
    Column("length_m", Float, nullable=False),
    Index("ix_runs_through_room", "room_code"),
)

serves = Table(
    "serves",
    metadata,
    Column("element_id", ForeignKey("elements.element_id"), primary_key=True),
    Column("room_code", ForeignKey("rooms.room_code"), primary_key=True),
    Index("ix_serves_room", "room_code"),
)

adjacency = Table(
    "adjacency",
    metadata,
    Column("room_a", ForeignKey("rooms.room_code"), primary_key=True),
    Column("room_b", ForeignKey("rooms.room_code"), primary_key=True),
    Column("via", String(16), nullable=False),
)

meshes = Table(
    "meshes",
    metadata,
    Column("owner_id", String(32), primary_key=True),
    Column("building_code", ForeignKey("buildings.building_code")),
    Column("vertices", LargeBinary, nullable=False),
    Column("faces", LargeBinary, nullable=False),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("files", Text, nullable=False),
    Column("summary", Text, nullable=False),
)

import_warnings = Table(
    "import_warnings",
    metadata,
    Column("warning_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("import_runs.run_id"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("message", Text, nullable=False),
)

# --- live layers (issue 5) ---

sensors = Table(
    "sensors",
    metadata,
    Column("sensor_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    # A sensor binds to a room (room_code) or to a site, building or element (code);
    # one placed by position in no room has neither and is an orphan.
    Column("room_code", ForeignKey("rooms.room_code")),
    Column("code", String(32)),
    Column("x_m", Float),
    Column("y_m", Float),
    Column("z_m", Float),
    Column("placed_by", String(8), nullable=False),
    Column("registered_at", String(32), nullable=False),
    Index("ix_sensors_room", "room_code"),
)

readings = Table(
    "readings",
    metadata,
    Column("sensor_id", String(64), primary_key=True),
    # UTC, microseconds since 1970-01-01: exact, sorts and buckets as an integer.
    Column("ts_us", BigInteger, primary_key=True, autoincrement=False),
    Column("value", Float, nullable=False),
)

ingest_counts = Table(
    "ingest_counts",
    metadata,
    Column("channel", String(8), primary_key=True),
    Column("outcome", String(16), primary_key=True),
    Column("reason", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    # The same key hashed the way mosquitto checks passwords, for the broker's logins.
    Column("mqtt_hash", Text),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

# --- alarms and notifications (issue 5) ---

alarm_rule_overrides = Table(
    "alarm_rule_overrides",
    metadata,
    # One room's change to one default rule (e.g. "temperature.high"); NULL keeps the default.
    Column("room_code", String(32), primary_key=True),
    Column("rule", String(48), primary_key=True),
    Column("limit", Float),
    Column("hysteresis", Float),
    Column("min_duration_s", Float),
    Column("severity", String(16)),
    Column("enabled", Boolean),
)

alarms = Table(
    "alarms",
    metadata,
    Column("alarm_id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(48), nullable=False),
    Column("sensor_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("room_code", String(32)),
    Column("code", String(32)),
    Column("building_code", String(16)),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("value", Float),
    Column("limit", Float),
    Column("message", Text, nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("acknowledged_at", String(32)),
    Column("acknowledged_by", Text),
    Column("cleared_at", String(32)),
    Column("cleared_by", Text),
    Index("ix_alarms_state", "state"),
    Index("ix_alarms_sensor_rule", "sensor_id", "rule"),
)

alarm_watch = Table(
    "alarm_watch",
    metadata,
    # Where each (sensor, rule) stands between readings: since when its condition holds.
    Column("sensor_id", String(64), primary_key=True),
    Column("rule", String(48), primary_key=True),
    Column("breach_since_us", BigInteger),
    Column("last_ts_us", BigInteger, nullable=False),
)

notify_config = Table(
    "notify_config",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("body_json", Text, nullable=False),
)

alarm_escalations = Table(
    "alarm_escalations",
    metadata,
    # One row per (alarm, route, step) already sent on, so each step is issued once.
    Column("alarm_id", Integer, primary_key=True),
    Column("route", String(64), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("issued_at", String(32), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", Integer, primary_key=True, autoincrement=True),
    Column("alarm_id", Integer, nullable=False),
    Column("route", String(64), nullable=False),
    Column("step", Integer, nullable=False),
    Column("contact", String(64), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("target", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_us", BigInteger),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    Column("delivered_at", String(32)),
    Index("ix_deliveries_status", "status", "next_attempt_us"),
)

# --- work orders (issue 6) ---

work_orders = Table(
    "work_orders",
    metadata,
    Column("work_order_id", Integer, primary_key=True, autoincrement=True),
    # Against a room or an element, never both. No foreign key on the element: a
    # re-import deletes and re-inserts a file's elements, and the order must outlive that.
    Column("room_code", ForeignKey("rooms.room_code")),
    Column("element_id", String(32)),
    Column("building_code", String(16)),
    Column("alarm_id", ForeignKey("alarms.alarm_id")),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("assignee", Text),
    Column("opened_at", String(32), nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("closed_at", String(32)),
    Index("ix_work_orders_room", "room_code"),
    Index("ix_work_orders_building_state", "building_code", "state"),
    Index("ix_work_orders_alarm", "alarm_id"),
)

work_order_events = Table(
    "work_order_events",
    metadata,
    # The history of each order: only ever inserted, never updated or deleted.
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("work_order_id", ForeignKey("work_orders.work_order_id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("event", String(16), nullable=False),
    Column("by", Text, nullable=False),
    # How `by` came in: "cli", or the key's role and id ("admin key 3f2a9c0d1e7b").
    Column("via", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("assignee", Text),
    Column("note", Text),
    Index("ix_work_order_events_order", "work_order_id"),
)

# SQLite refuses to edit the history at all, whatever the caller (the twin has no code
# that would; this keeps a stray UPDATE from a shell or a script from rewriting it).
for _change in ("UPDATE", "DELETE"):
    event.listen(
        work_order_events,
        "after_create",
        DDL(
            f"CREATE TRIGGER work_order_events_no_{_change.lower()} BEFORE {_change} "
            "ON work_order_events BEGIN "
            "SELECT RAISE(ABORT, 'work order history is never edited'); END"
        ).execute_if(dialect="sqlite"),
    )

# --- georeferencing and maps (issue 8) ---

site_placements = Table(
    "site_placements",
    metadata,
    # Where a site's georeference came from when not from its models ("manifest").
    Column("site_code", ForeignKey("sites.site_code"), primary_key=True),
    Column("placed_by", String(16), nullable=False),
)

building_footprints = Table(
    "building_footprints",
    metadata,
    # A building's outline in site metres (WKB), computed at import from its rooms
    # (or meshes), or written by whoever generates the building without IFC.
    Column("building_code", ForeignKey("buildings.building_code"), primary_key=True),
    Column("footprint_wkb", LargeBinary, nullable=False),
    Column("source", String(16), nullable=False),
)

# --- alarm evaluation off the ingest path (issue 5, perf) ---

alarm_progress = Table(
    "alarm_progress",
    metadata,
    # How far the background evaluator has judged the readings: the highest readings
    # rowid judged (SQLite gives rowids in commit order; readings are never deleted).
    # Written in the same transaction as the alarms it raised, so a crash loses both.
    Column("name", String(16), primary_key=True),
    Column("last_rowid", BigInteger, nullable=False),
)

# --- space planning (issue 7) ---

planning_sites = Table(
    "planning_sites",
    metadata,
    # The site's administrative level and its own standards TOML laid over the defaults.
    Column("site_code", ForeignKey("sites.site_code"), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("standards_toml", Text),
    Column("updated_at", String(32), nullable=False),
)

departments = Table(
    "departments",
    metadata,
    Column("department_code", String(32), primary_key=True),
    Column("site_code", ForeignKey("sites.site_code"), nullable=False),
    Column("name", Text, nullable=False),
    # The unit above; checked by the code (a unit may be imported before its parent).
    Column("parent_code", String(32)),
)

staff = Table(
    "staff",
    metadata,
    Column("staff_id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("rank", String(32), nullable=False),
    Column("department_code", ForeignKey("departments.department_code"), nullable=False),
    # The room the person sits in now; a room's department allocation is the
    # `department` local edit (room_edits), so the rooms list and its colours show it.
    Column("room_code", ForeignKey("rooms.room_code")),
    Index("ix_staff_room", "room_code"),
    Index("ix_staff_department", "department_code"),
)

org_events = Table(
    "org_events",
    metadata,
    # Append-only: every change to sites' levels, departments, staff and allocations.
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("by", Text, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("subject", String(32), nullable=False),
    Column("detail", Text),
)

room_lifecycle = Table(
    "room_lifecycle",
    metadata,
    # A room's lifecycle now; every change is also a `lifecycle.*` row of room_events
    # (with who and why), which is the audit trail this state is folded from.
    Column("room_code", ForeignKey("rooms.room_code"), primary_key=True),
    Column("ownership", String(8)),
    Column("counterparty", Text),
    Column("lease_start", String(10)),
    Column("lease_end", String(10)),
    Column("rent_amount", Float),
    Column("rent_period", String(8)),
    Column("paid_until", String(10)),
    Column("last_maintenance", String(10)),
    Column("disposed_on", String(10)),
)

# --- reallocation scenarios (issue 7, solver) ---

planning_scenarios = Table(
    "planning_scenarios",
    metadata,
    # One solved scenario: the body as given, the plan's figures for listing and comparing,
    # and the whole answer (moves, KPIs, shortages) as JSON. Applied at most once.
    Column("scenario_id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("site_code", String(8)),
    Column("created_at", String(32), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("time_limit_s", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("objective", Float, nullable=False),
    Column("lower_bound", Float),
    Column("gap", Float),
    Column("moves", Integer, nullable=False),
    Column("result", Text, nullable=False),
    Column("applied_at", String(32)),
    Column("applied_by", Text),
)

# --- geo performance (twin.geo.geojson) ----------------------------------------------

map_geometry = Table(
    "map_geometry",
    metadata,
    # Each room's and building's footprint and each outdoor pipe's axis as WGS84
    # GeoJSON geometry text (`code`: the room, building or element code), kept so a
    # site's map layer is one query (twin.geo.geojson). A row holds while its source
    # (source_wkb: the exact footprint WKB or axis JSON bytes it was made from) and
    # its site's frame (frame_key) are unchanged; otherwise it is made again on the
    # next request and replaced. A cache: deleting rows loses nothing.
    Column("code", String(32), primary_key=True),
    Column("frame_key", Text, nullable=False),
    Column("source_wkb", LargeBinary, nullable=False),
    Column("geometry", Text, nullable=False),
)

# --- import speed (issue 3) ----------------------------------------------------------

# Connections by port. Deleting a port makes SQLite look for connections still naming
# it (the foreign keys port_from, port_to); without an index it scans every connection
# once per port, and a re-import deletes all the ports of each file it replaces (the
# 41-file split sample campus: ~40 s of its re-import). Indexes added to a table that
# stores made before them already have: `open_store` creates those missing.
ADDED_INDEXES = (
    Index("ix_connections_port_from", connections.c.port_from),
    Index("ix_connections_port_to", connections.c.port_to),
)
