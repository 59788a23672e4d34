"""The runtime around the pipeline: the router, the receipt worker and the deadline sweeper.

Each core here is transport-neutral: it takes :class:`~hub.transport.base.Inbound`
messages and returns what to publish and what to acknowledge; the RabbitMQ
runner (``hub.transport.rabbitmq``) executes that with confirms and acks.
"""
