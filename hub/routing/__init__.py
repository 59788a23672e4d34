"""routes.yaml: who may send what, who receives what in which format, and why."""

from .check import Finding, check_routes
from .router import Facts, Planned, Router, Verdict, facts_of, narrow
from .table import Destination, Match, Receiver, Route, RoutesFile, Sender, load_routes

__all__ = ["Destination", "Facts", "Finding", "Match", "Planned", "Receiver", "Route", "Router",
           "RoutesFile", "Sender", "Verdict", "check_routes", "facts_of", "load_routes", "narrow"]
