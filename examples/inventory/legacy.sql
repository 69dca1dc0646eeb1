-- The legacy inventory database, as it was built by hand before the project used Alembic.
-- Run with search_path set to the project's schema (INVENTORY_SCHEMA); names are unqualified.
-- Its divergences from the ORM (inventory/models.py), each accepted in
-- migrations/divergences.toml:
--   [L1] warehouse.city is varchar(40), the ORM says 64 (seen by autogenerate: type)
--   [L2] the hand-made index item_name_idx on item(name) (seen: index only in the database)
--   [L3] the legacy table stock_audit, written by an old nightly job (seen: table only in the database)
--   [L4] the stock foreign keys are named stock_item_fk and stock_warehouse_fk, not PostgreSQL's
--        default names (not seen: Alembic compares foreign keys by their columns)

CREATE TABLE warehouse (
    id serial PRIMARY KEY,
    code varchar(16) NOT NULL UNIQUE,
    city varchar(40)                                        -- [L1]
);

CREATE TABLE item (
    id serial PRIMARY KEY,
    sku varchar(32) NOT NULL UNIQUE,
    name varchar(200) NOT NULL
);

CREATE INDEX item_name_idx ON item (name);                  -- [L2]

CREATE TABLE stock (
    item_id integer NOT NULL CONSTRAINT stock_item_fk REFERENCES item (id),            -- [L4]
    warehouse_id integer NOT NULL CONSTRAINT stock_warehouse_fk REFERENCES warehouse (id),
    quantity integer NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, warehouse_id)
);

CREATE TABLE stock_audit (                                  -- [L3]
    id serial PRIMARY KEY,
    item_id integer,
    counted integer,
    counted_at timestamp DEFAULT now()
);

INSERT INTO warehouse (code, city) VALUES ('VIC1', 'Victoria'), ('VAN1', 'Vancouver');
INSERT INTO item (sku, name) VALUES ('BOLT-M6', 'M6 bolt'), ('NUT-M6', 'M6 nut');
INSERT INTO stock (item_id, warehouse_id, quantity) VALUES (1, 1, 500), (2, 1, 300), (1, 2, 20);
