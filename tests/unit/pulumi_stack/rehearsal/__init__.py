"""The deploy rehearsal: a first `pulumi up` on a fresh account, replayed offline.

graph.py captures the resource graph the program registers under Pulumi mocks (types, inputs, the
provider of each resource, explicit and implicit dependencies); privileges.py is the table of what
Snowflake requires for each operation (each row cites the documentation page); statements.py turns the
SQL the stack and the lifecycle send into those operations; engine.py walks the graph in dependency
order and checks, for every resource, that the role of its provider holds what the operation needs at
that moment — i.e. granted by something that is guaranteed to have run before it.
"""
