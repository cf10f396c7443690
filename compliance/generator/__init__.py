"""`flask demo generate`: a large, rule-abiding data set written with bulk inserts.

It simulates years of clinics day by day: patients on courses of up to six sessions 4 to 6 weeks
apart, injections drawn first-expiry-first-out, opened ampoules' remainders wasted, quarterly
stocktakes, signatures, and an audit event (hash-chained) for every record it creates.
"""
