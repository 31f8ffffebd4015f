"""
What the telemetry tests record into: private OpenTelemetry providers that keep it in memory.

Never the global providers: each `Recorded` has its own ``TracerProvider``
(an ``InMemorySpanExporter`` behind a ``SimpleSpanProcessor``, so each span is
there as soon as it ends) and ``MeterProvider`` (an ``InMemoryMetricReader``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    Metric,
    MetricsData,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from signalwire_orders import Hooks
from signalwire_orders.telemetry import opentelemetry_hooks

DURATION = "http.client.request.duration"
RETRIES = "signalwire_orders.client.retries"
RATE_LIMITED = "signalwire_orders.client.rate_limited"


class Recorded:
    """A tracer provider and a meter provider of our own, and what they recorded."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader], shutdown_on_exit=False)

    def hooks(self) -> Hooks:
        """`opentelemetry_hooks` on these providers."""
        return opentelemetry_hooks(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider
        )

    def spans(self) -> list[ReadableSpan]:
        """Every span ended so far, oldest first."""
        return list(self.exporter.get_finished_spans())

    def metrics_data(self) -> MetricsData | None:
        """One collection of every instrument (cumulative: all points since the start)."""
        return self.reader.get_metrics_data()

    def metrics(self) -> dict[str, Metric]:
        """The metrics collected now, by instrument name."""
        data = self.metrics_data()
        if data is None:
            return {}
        return {
            metric.name: metric
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        }

    def histogram(self, name: str = DURATION) -> list[HistogramDataPoint]:
        """The points of a histogram (none if nothing was recorded)."""
        metric = self.metrics().get(name)
        points = [] if metric is None else list(metric.data.data_points)
        return [p for p in points if isinstance(p, HistogramDataPoint)]

    def counts(self, name: str, key: str) -> dict[Any, int | float]:
        """A counter's value by one attribute (``key``), summed over the others."""
        metric = self.metrics().get(name)
        found: dict[Any, int | float] = {}
        for point in [] if metric is None else metric.data.data_points:
            assert isinstance(point, NumberDataPoint)
            value = (point.attributes or {}).get(key)
            found[value] = found.get(value, 0) + point.value
        return found

    def close(self) -> None:
        """Shut both providers down."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@contextmanager
def recording() -> Iterator[Recorded]:
    """A `Recorded`, shut down afterwards."""
    recorded = Recorded()
    try:
        yield recorded
    finally:
        recorded.close()


def attributes_of(span: ReadableSpan) -> Mapping[str, Any]:
    """A span's attributes as a plain dict (empty if none)."""
    return dict(span.attributes or {})
