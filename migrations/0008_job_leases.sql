-- Job leases: a worker holds a running request until lease_until and renews it while it
-- works; maintenance sends again the job of a request whose lease lapsed (its worker died).
ALTER TABLE route_requests ADD COLUMN lease_until timestamptz;
-- Maintenance looks for lapsed leases and for running requests sent again but never taken.
CREATE INDEX route_requests_running_idx ON route_requests (lease_until, updated_at)
    WHERE status = 'running';
