"""Live layers bound to codes: sensors, readings, occupancy, alarms, notifications.

Filled by the live-layers work (issue 5); imports `twin` and `models`, never `viewer`
or `api`.
"""
