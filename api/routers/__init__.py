"""One router per resource, all under `/api`; `api.app` includes them."""
