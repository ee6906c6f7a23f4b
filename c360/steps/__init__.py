"""The lifecycle steps `c360 up` runs in order (and the Pulumi lifecycle providers call one by one)."""
