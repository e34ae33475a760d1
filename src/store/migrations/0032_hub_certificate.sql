-- TLS to the city's hub (issue 11, Transports): the certificate the city gave the county (PEM text:
-- the hub's self-signed certificate or the city's own CA), trusted for an `https://` hub address.
-- NULL: none imported (an https hub is then checked against the web PKI's roots). Audited column,
-- nullable so that older audit images replay.
ALTER TABLE exchange_peer ADD COLUMN hub_cert TEXT;
