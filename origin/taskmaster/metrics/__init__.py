"""System metrics: batched ingestion (COPY) and time-bucketed series (``date_bin``)."""
