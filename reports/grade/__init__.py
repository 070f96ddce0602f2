"""`gradverify grade`: a class's submissions judged against an answer key into a gradebook.

outcome (Task, Outcome records), scheme (the key's [grading] table and scoring), grader (one
submission: complete, judge, score), judging (the door to the judge), pool (local worker
processes with time limits), dask_executor (the same on dask.distributed), gradebook (append-only
CSV + verdict journal, resume), run (one grading run), files (which files a command works on),
expect (the pytest plugin's [expect] core).
"""
