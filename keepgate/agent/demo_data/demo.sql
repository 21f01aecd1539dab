-- The demo database for the agent's `sql_query` tool. Built fresh at start-up (read-only
-- afterwards); no binary database is committed. All people and addresses are invented.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  plan TEXT NOT NULL,
  city TEXT NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  amount_eur REAL NOT NULL,
  placed_on TEXT NOT NULL
);
INSERT INTO customers (id, name, email, plan, city) VALUES
  (1, 'Ada Byron', 'ada@example.com', 'pro', 'London'),
  (2, 'Grace Hopper', 'grace@example.org', 'team', 'New York'),
  (3, 'Alan Turing', 'alan@example.com', 'free', 'Manchester'),
  (4, 'Katherine Johnson', 'katherine@example.org', 'pro', 'Hampton'),
  (5, 'Edsger Dijkstra', 'edsger@example.com', 'team', 'Eindhoven');
INSERT INTO orders (id, customer_id, amount_eur, placed_on) VALUES
  (1, 1, 120.0, '2024-01-15'),
  (2, 2, 89.5, '2024-02-02'),
  (3, 1, 42.0, '2024-02-20'),
  (4, 4, 310.0, '2024-03-05'),
  (5, 5, 15.0, '2024-03-09');
