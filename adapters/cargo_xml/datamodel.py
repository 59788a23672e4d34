"""The iata:datamodel:3 namespace and the Clark names of the elements the adapters use.

Design note (speed): the engine budget is well under a millisecond per message,
so readers look children up with ``iterchildren(R.Name)`` on precomputed Clark
names, which filters in C and is about three times faster than
``find("ram:Name", namespaces)``; writers append with ``etree.SubElement``.
"""

from __future__ import annotations

DM = "iata:datamodel:3"


def q(local: str) -> str:
    """The Clark name of a datamodel element."""
    return "{" + DM + "}" + local


class _Tags:
    """Clark names by local name: ``R.Name == '{iata:datamodel:3}Name'``."""

    def __init__(self, names: str) -> None:
        for local in names.split():
            setattr(self, local, q(local))


R = _Tags("""
    AccountID ApplicableRating ArrivalDateTimeTypeCode ArrivalEvent ArrivalOccurrenceDateTime
    AssociatedTransportCargo AssociatedUnitLoadTransportEquipment CharacteristicCode CityName \
CompleteNumber ConditionCode ConsigneeParty ConsignorParty Content
    ContentCode ConversationID CountryID DefinedTradeContact DepartureDateTimeTypeCode DepartureEvent
    DepartureOccurrenceDateTime Description DescriptionCode DirectTelephoneCommunication
    FinalDestinationLocation FreightForwarderAddress FreightForwarderParty GrossVolumeMeasure
    GrossWeightMeasure HandlingOSIInstructions HandlingSPHInstructions ID Identification
    IncludedCustomsNote IncludedHeaderNote IncludedHouseConsignment IncludedHouseConsignmentItem
    IncludedMasterConsignment IncludedMasterConsignmentItem IncludedTareGrossWeightMeasure Information OperatingParty
    IssueDateTime Mode ModeCode Name NatureIdentificationTransportCargo OccurrenceArrivalLocation
    OccurrenceDepartureLocation OriginLocation PieceQuantity PostalStructuredAddress PostcodeCode
    PrimaryID PurposeCode Reason ReasonCode RecipientParty ScheduledOccurrenceDateTime SenderAssignedID
    SenderParty SequenceNumeric SpecifiedLogisticsTransportMovement StageCode StatusCode StreetName
    SubjectCode SummaryDescription TotalGrossWeightMeasure TotalPieceQuantity TransportContractDocument
    TransportSplitDescription TypeCode URIEmailCommunication URIID UsedLogisticsTransportMeans
    UtilizedUnitLoadTransportEquipment VersionID
""")
