"""Transports: the message shapes, header names and topology the workers use (``base``), the
batching consumer's decisions and bookkeeping (``batching``), RabbitMQ (``rabbitmq``, pika) and an
in-memory double for tests (``memory``).

Nothing outside this package imports pika; inside it only ``rabbitmq`` does.
"""
