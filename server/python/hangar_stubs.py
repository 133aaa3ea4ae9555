"""Stubs for DAG imports outside a real deployment, the way teams do it in CI: Variables answer their
default (or a placeholder), connections resolve to a placeholder Connection, and HANGAR_TEST_ENV
(JSON object) adds environment variables. Nothing reaches a metadata database or a secrets backend."""

import json
import os

_MISSING = object()


def install():
    os.environ.update(json.loads(os.environ.get("HANGAR_TEST_ENV") or "{}"))
    _stub_variables()
    _stub_connections()


def _variable_get(key, default=_MISSING, deserialize_json=False, **kwargs):
    default = kwargs.get("default_var", default)
    if default is not _MISSING:
        return default
    return {} if deserialize_json else f"hangar-stub-{key}"


def _stub_variables():
    targets = []
    try:
        from airflow.sdk import Variable as SdkVariable

        targets.append(SdkVariable)
    except ImportError:
        pass
    try:
        from airflow.models import Variable as ModelVariable

        targets.append(ModelVariable)
    except ImportError:
        pass
    for cls in targets:
        cls.get = staticmethod(_variable_get)


def _stub_connections():
    try:
        from airflow.models.connection import Connection
    except ImportError:
        return

    def get_connection(conn_id, *args, **kwargs):
        return Connection(conn_id=conn_id, conn_type="generic", host="localhost", login="hangar", password="hangar-stub")

    hooks = []
    for module, name in (("airflow.hooks.base", "BaseHook"), ("airflow.sdk", "BaseHook")):
        try:
            hooks.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    for hook in hooks:
        hook.get_connection = classmethod(lambda cls, conn_id, *a, **k: get_connection(conn_id))
    Connection.get_connection_from_secrets = classmethod(lambda cls, conn_id: get_connection(conn_id))
    Connection.get = classmethod(lambda cls, conn_id: get_connection(conn_id))
