"""The project's own PostgreSQL: a local cluster (``cluster``) and its provisioning."""
