"""Transports: the message shapes the workers use (``base``) and RabbitMQ (``rabbitmq``, pika).

The pipeline and the worker cores never import pika; only ``rabbitmq`` does.
"""
