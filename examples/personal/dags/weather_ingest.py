"""Personal sandbox: hourly weather observations for a few cities into a local DuckDB file."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

CITIES = {
    "amsterdam": (52.37, 4.90),
    "berlin": (52.52, 13.40),
    "lisbon": (38.72, -9.14),
}


@dag(
    dag_id="weather_ingest",
    schedule="5 * * * *",
    start_date=datetime(2025, 5, 1),
    catchup=False,
    default_args={"owner": "sam", "retries": 3, "retry_delay": timedelta(minutes=1)},
    tags=["sandbox", "weather"],
)
def weather_ingest():
    @task
    def fetch(city: str, lat: float, lon: float) -> dict:
        import json
        import urllib.request

        url = (
            "https://api.open-meteo.example/v1/forecast"
            f"?latitude={lat}&longitude={lon}&current=temperature_2m,wind_speed_10m"
        )
        with urllib.request.urlopen(url, timeout=30) as response:
            current = json.load(response)["current"]
        return {"city": city, "observed_at": current["time"], **current}

    @task
    def store(observations: list[dict]) -> int:
        import duckdb

        with duckdb.connect("/data/weather.duckdb") as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS observations "
                "(city TEXT, observed_at TIMESTAMP, temperature_2m DOUBLE, wind_speed_10m DOUBLE)"
            )
            db.executemany(
                "INSERT INTO observations VALUES (?, ?, ?, ?)",
                [(o["city"], o["observed_at"], o["temperature_2m"], o["wind_speed_10m"]) for o in observations],
            )
        return len(observations)

    store([fetch.override(task_id=f"fetch_{city}")(city, lat, lon) for city, (lat, lon) in CITIES.items()])


weather_ingest()
