"""Internal letter endpoints: cancelling a letter, reporting returned letters."""
