"""Everything a user touches: worked-example files, the judge, outputs and the `gradverify` command."""
