"""Reading a question: tokens -> items -> passes (conditions, measures, grouping, ranking, listing) ->
a SemanticQuery, or a Refusal that says why. `QuestionParser` is the entry point."""

from c360.assistant.reading.items import Item, Parsed, Reading, Refusal, RefusalKind
from c360.assistant.reading.parser import QuestionParser

__all__ = ["Item", "Parsed", "QuestionParser", "Reading", "Refusal", "RefusalKind"]
