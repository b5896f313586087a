"""fsclient against a real `fsctl serve`: lookups equal `fsctl get --json`,
push then read, typed errors, auth and scopes.

Needs the fsctl binary: FSCTL=.build/debug/fsctl python3 -m unittest discover -s tools/python/tests
(Tests/FsctlTests/PythonClientTests.swift runs it so from `swift test`).
"""

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fsclient import Client, FeatureStoreConnectionError, FeatureStoreError  # noqa: E402

FSCTL = os.environ.get("FSCTL") or os.path.join(os.path.dirname(__file__), "../../../.build/debug/fsctl")

DEFINITIONS = """\
entities:
  - name: customer
    join_keys:
      - {name: customer_id, type: int64}
  - name: merchant
    join_keys:
      - {name: merchant, type: string}

feature_tables:
  - name: customer_stats
    entities: [customer]
    ttl: 1d
    features:
      - {name: spend, type: float64}
      - {name: orders, type: int32}
      - {name: lifetime, type: int64}
      - {name: city, type: string}
      - {name: vip, type: bool}
      - {name: risk, type: float32}
      - {name: vec, type: "float32[2]"}
      - {name: first_seen, type: timestamp}
      - {name: blob, type: bytes}
      - {name: tier, type: int32, expect: {in: [1, 2]}}
  - name: pair_stats
    entities: [customer, merchant]
    ttl: 1d
    features:
      - {name: visits, type: int64}

feature_services:
  - name: scoring
    features: [customer_stats:spend, customer_stats:risk]
"""

EVENTS = """\
customer_id,event_timestamp,spend,orders,lifetime,city,vip,risk,vec,first_seen,blob,tier
7,2025-11-15T01:00:00Z,12.75,3,900000000000,Lyon,true,0.3,"[0.1,-2.5]",2025-01-02T03:04:05.000006Z,aGk=,1
8,2025-11-15T02:30:00.5Z,,4,,Köln,false,,,,,2
9,2025-11-13T00:00:00Z,99.5,1,5,Oslo,,1e-7,"[3,4]",,,
"""

PAIRS = """\
customer_id,merchant,event_timestamp,visits
7,acme,2025-11-15T01:00:00Z,2
8,acme,2025-11-15T01:00:00Z,5
"""

AT = "2025-11-15T12:00:00Z"
IDS = [7, 8, 9, 1234]


def fsctl(store, *args, check=True):
    env = dict(os.environ, FSCTL_STORE=store)
    p = subprocess.run([FSCTL, *args], env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"fsctl {' '.join(args)}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


class Served:
    """A store with the data above and `fsctl serve --port 0 ARGS` on it."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="fsclient-py-")
        self.store = os.path.join(self.dir, "store")
        for name, text in (("features.yaml", DEFINITIONS), ("events.csv", EVENTS), ("pairs.csv", PAIRS)):
            with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
                f.write(text)
        fsctl(self.store, "init")
        fsctl(self.store, "apply", os.path.join(self.dir, "features.yaml"))
        fsctl(self.store, "ingest", "customer_stats", os.path.join(self.dir, "events.csv"), "--to", "both", "--quiet")
        fsctl(self.store, "ingest", "pair_stats", os.path.join(self.dir, "pairs.csv"), "--to", "both", "--quiet")
        self.tokens = {}
        if "--require-auth" in args:
            for scope in ("read", "write"):
                self.tokens[scope] = fsctl(self.store, "tokens", "create", "--scope", scope).stdout.strip()
        env = dict(os.environ, FSCTL_STORE=self.store)
        self.proc = subprocess.Popen([FSCTL, "serve", "--port", "0", *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("serving "):
            self.stop()
            raise AssertionError(f"fsctl serve did not start: {line!r}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def get_json(self, *args):
        return json.loads(fsctl(self.store, "get", "--json", *args).stdout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.served = Served()
        cls.client = Client("127.0.0.1", cls.served.port)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.served.stop()

    def entity_args(self, ids):
        return [a for i in ids for a in ("--entity", f"customer_id={i}")]

    def test_lookups_equal_fsctl_get_json(self):
        got = self.client.get_online_features(features=["customer_stats:*"], entities={"customer_id": IDS}, at=AT)
        want = self.served.get_json("--features", "customer_stats:*", *self.entity_args(IDS), "--at", AT)
        self.assertEqual(got, want)
        # Spot checks, so equality is not vacuous.
        self.assertEqual(got["metadata"]["feature_names"][:3], ["customer_id", "spend", "orders"])
        spend = got["results"][1]
        self.assertEqual(spend["values"], [12.75, None, None, None])
        self.assertEqual(spend["statuses"], ["PRESENT", "NULL_VALUE", "OUTSIDE_MAX_AGE", "NOT_FOUND"])
        self.assertEqual(got["results"][6]["values"][0], 0.3)  # float32 printed as fsctl prints it

    def test_service_full_names_and_two_join_keys(self):
        got = self.client.get_online_features(service="scoring", entities={"customer_id": IDS}, at=AT,
                                              full_feature_names=True)
        want = self.served.get_json("--service", "scoring", "--full-feature-names", *self.entity_args(IDS), "--at", AT)
        self.assertEqual(got, want)
        self.assertEqual(got["metadata"]["feature_names"], ["customer_id", "customer_stats__spend", "customer_stats__risk"])
        got = self.client.get_online_features(features=["pair_stats:visits", "customer_stats:city"],
                                              entities={"merchant": ["acme", "acme", "zeta"], "customer_id": [8, 7, 7]}, at=AT)
        want = self.served.get_json("--features", "pair_stats:visits,customer_stats:city", "--at", AT,
                                    "--entity", "customer_id=8,merchant=acme", "--entity", "customer_id=7,merchant=acme",
                                    "--entity", "customer_id=7,merchant=zeta")
        self.assertEqual(got, want)

    def test_prepared_list(self):
        lst = self.client.prepare(features=["customer_stats:spend", "customer_stats:city"])
        self.assertEqual(lst.join_keys, [("customer_id", "int64")])
        self.assertEqual(lst.features, [("spend", "customer_stats:spend", "float64"), ("city", "customer_stats:city", "string")])
        got = self.client.get_online_features(prepared=lst, entities={"customer_id": [7]}, at=AT)
        self.assertEqual(got["results"][2]["values"], ["Lyon"])

    def test_push_then_read(self):
        r = self.client.push("customer_stats", rows=[
            {"customer_id": 500, "event_timestamp": "2025-11-15T06:00:00Z", "spend": 3, "orders": 2, "lifetime": 7,
             "city": "Porto", "vip": True, "risk": 0.25, "vec": [1, 2], "first_seen": "2024-02-29T00:00:00.5Z",
             "blob": b"\x00\xff", "tier": 2},
            {"customer_id": 501, "event_timestamp": "2025-11-15T07:00:00+01:00", "spend": None, "city": "Faro"},
        ], to="both")
        self.assertEqual(r["rows"], 2)
        self.assertGreater(r["batch_id"], 0)
        got = self.client.get_online_features(features=["customer_stats:*"], entities={"customer_id": [500, 501]}, at=AT)
        self.assertEqual(got, self.served.get_json("--features", "customer_stats:*", *self.entity_args([500, 501]), "--at", AT))
        self.assertEqual(got["results"][1]["values"], [3.0, None])
        self.assertEqual(got["results"][4]["event_timestamps"], ["2025-11-15T06:00:00Z", "2025-11-15T06:00:00Z"])
        self.assertEqual(got["results"][9]["values"][0], "AP8=")
        # One bad row rejects the whole push, with the server's message naming it.
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.push("customer_stats", rows=[
                {"customer_id": 502, "event_timestamp": AT, "tier": 1},
                {"customer_id": 503, "event_timestamp": AT, "tier": 9},
            ])
        self.assertEqual((cm.exception.code, cm.exception.name), (20, "INVALID_ARGUMENT"))
        self.assertIn("row 2", cm.exception.message)
        self.assertIn("tier", cm.exception.message)
        nothing = self.client.get_online_features(features=["customer_stats:tier"], entities={"customer_id": [502]}, at=AT)
        self.assertEqual(nothing["results"][1]["statuses"], ["NOT_FOUND"])

    def test_errors(self):
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.get_online_features(features=["customer_stat:spend"], entities={"customer_id": [1]})
        self.assertEqual(cm.exception.name, "NOT_FOUND")
        self.assertEqual(cm.exception.operation, "PREPARE")
        self.assertTrue(str(cm.exception).startswith(f"127.0.0.1:{self.served.port}: PREPARE: NOT_FOUND (21): "))
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.predict("churn@production", entities={"customer_id": [7]})
        self.assertEqual((cm.exception.name, cm.exception.operation), ("NOT_FOUND", "PREDICT"))
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.push("no_such_table", rows=[{"customer_id": 1, "event_timestamp": AT}])
        self.assertEqual(cm.exception.name, "NOT_FOUND")
        with self.assertRaisesRegex(ValueError, "'customer' is not a join key"):
            self.client.get_online_features(features=["customer_stats:spend"], entities={"customer": [1]})
        with self.assertRaisesRegex(ValueError, "row 1: column 'vec': expected 2 numbers"):
            self.client.push("customer_stats", rows=[{"customer_id": 1, "event_timestamp": AT, "vec": [1, 2, 3]}])
        # The connection still works after all that.
        self.assertEqual(self.client.health()["status"], "serving")

    def test_catalog_and_health(self):
        cat = self.client.catalog()
        self.assertEqual([t["name"] for t in cat["feature_tables"]], ["customer_stats", "pair_stats"])
        self.assertEqual(cat["entities"][0], {"name": "customer", "join_keys": [{"name": "customer_id", "type": "int64"}]})
        stats = cat["feature_tables"][0]
        self.assertEqual(stats["ttl_seconds"], 86400.0)
        self.assertEqual(stats["features"][6], {"name": "vec", "type": "float32[2]"})
        self.assertEqual(cat["feature_services"], [{"name": "scoring", "features": ["customer_stats:spend", "customer_stats:risk"]}])
        h = self.client.health()
        self.assertEqual(h["status"], "serving")
        self.assertGreaterEqual(h["connections"], 1)
        self.assertGreater(h["map_size_bytes"], 0)
        self.assertEqual(self.client.server["scope"], "admin")

    def test_connection_refused_names_host_and_port(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(FeatureStoreConnectionError) as cm:
            Client("127.0.0.1", port)
        self.assertIsNone(cm.exception.code)
        self.assertTrue(str(cm.exception).startswith(f"127.0.0.1:{port}: cannot connect"), str(cm.exception))


class AuthTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.served = Served("--require-auth")

    @classmethod
    def tearDownClass(cls):
        cls.served.stop()

    def test_tokens_and_scopes(self):
        for token in (None, "fst_not_a_token"):
            with self.assertRaises(FeatureStoreError) as cm:
                Client("127.0.0.1", self.served.port, token=token)
            self.assertEqual((cm.exception.name, cm.exception.operation), ("UNAUTHENTICATED", "HELLO"))
        row = {"customer_id": 42, "event_timestamp": AT, "spend": 1.5}
        with Client("127.0.0.1", self.served.port, token=self.served.tokens["read"]) as reader:
            self.assertEqual(reader.server["scope"], "read")
            self.assertTrue(reader.server["auth_required"])
            got = reader.get_online_features(features=["customer_stats:spend"], entities={"customer_id": [7]}, at=AT)
            self.assertEqual(got["results"][1]["values"], [12.75])
            with self.assertRaises(FeatureStoreError) as cm:
                reader.push("customer_stats", rows=[row])
            self.assertEqual(cm.exception.name, "FORBIDDEN")
            self.assertEqual(reader.authenticate(self.served.tokens["write"]), "write")
            self.assertEqual(reader.push("customer_stats", rows=[row])["rows"], 1)
        with Client("127.0.0.1", self.served.port, token=self.served.tokens["write"]) as writer:
            self.assertEqual(writer.server["scope"], "write")
            self.assertEqual(writer.push("customer_stats", rows=[row], to="online")["rows"], 1)

    def test_read_scope_may_predict(self):
        register_models(self.served.store)
        with Client("127.0.0.1", self.served.port, token=self.served.tokens["read"]) as reader:
            rows = reader.predict("churn/1", entities={"customer_id": [7]}, at=AT)
            self.assertEqual([r["model_version"] for r in rows], [1])
            self.assertTrue(0 < rows[0]["prediction"] < 1)


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../Tests/Fixtures/registry")


def register_models(store):
    """churn/1 (XGBoost) and churn/2 (LightGBM) on spend and orders; production = 1 with 30% on 2."""
    for name, fmt in (("xgb_binary.json", "xgboost-json"), ("lgb_binary.txt", "lightgbm-text")):
        fsctl(store, "models", "register", "churn", "--artifact", os.path.join(FIXTURES, name), "--format", fmt,
              "--features", "customer_stats:spend,customer_stats:orders")
    fsctl(store, "models", "alias", "set", "churn", "production", "1", "--canary", "2:30")


class PredictTests(unittest.TestCase):
    """predict() equals what `fsctl score` writes for the same entities."""

    @classmethod
    def setUpClass(cls):
        cls.served = Served()
        cls.client = Client("127.0.0.1", cls.served.port)
        fresh = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).isoformat()
        cls.client.push("customer_stats", rows=[
            {"customer_id": 7, "event_timestamp": fresh, "spend": 12.5, "orders": 3},
            {"customer_id": 8, "event_timestamp": fresh, "orders": 4},
            {"customer_id": 9, "event_timestamp": fresh, "spend": 99.5, "orders": 1},
        ], to="both")
        register_models(cls.served.store)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.served.stop()

    def score(self, model, ids):
        entities = os.path.join(self.served.dir, "entities.csv")
        out = os.path.join(self.served.dir, "scores.jsonl")
        with open(entities, "w", encoding="utf-8") as f:
            f.write("customer_id\n" + "".join(f"{i}\n" for i in ids))
        fsctl(self.served.store, "score", "--model", model, "--entities", entities, "--out", out)
        with open(out, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def test_predictions_equal_fsctl_score(self):
        ids = list(range(1, 301))
        got = self.client.predict("churn@production", entities={"customer_id": ids})
        want = self.score("churn@production", ids)
        self.assertEqual(got, want)
        # Not vacuous: both versions answer, and known customers differ from unknown ones.
        versions = [r["model_version"] for r in got]
        self.assertTrue(40 <= versions.count(2) <= 140, versions.count(2))
        self.assertEqual(set(got[0]), {"customer_id", "model_version", "prediction"})
        pinned = self.client.predict("churn/1", entities={"customer_id": [7, 9, 1234]})
        self.assertEqual(pinned, self.score("churn/1", [7, 9, 1234]))
        self.assertNotEqual(pinned[0]["prediction"], pinned[2]["prediction"])

    def test_request_features_and_details(self):
        base = self.client.predict("churn/1", entities={"customer_id": [7, 8]}, details=True)
        self.assertEqual([r["status"] for r in base], ["COMPLETE", "MISSING_INPUTS"])
        self.assertEqual(base[0]["inputs"], {"customer_stats@1:spend": 12.5, "customer_stats@1:orders": 3.0})
        self.assertIsNone(base[1]["inputs"]["customer_stats@1:spend"])
        over = self.client.predict("churn/1", entities={"customer_id": [7, 8]},
                                   request_features={"spend": [500.0, 20.0]}, details=True)
        self.assertEqual(over[0]["inputs"]["customer_stats@1:spend"], 500.0)
        self.assertEqual(over[1]["status"], "COMPLETE")
        self.assertNotEqual(over[0]["prediction"], base[0]["prediction"])
        same = self.client.predict("churn/1", entities={"customer_id": [7]}, request_features={"spend": [None]})
        self.assertEqual(same[0]["prediction"], base[0]["prediction"])

    def test_errors(self):
        for model, name in (("churm@production", "NOT_FOUND"), ("churn@staging", "NOT_FOUND"), ("churn/9", "NOT_FOUND"),
                            ("churn/x", "INVALID_ARGUMENT")):
            with self.assertRaises(FeatureStoreError) as cm:
                self.client.predict(model, entities={"customer_id": [7]})
            self.assertEqual((cm.exception.name, cm.exception.operation), (name, "PREDICT"), model)
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.predict("churn/1", entities={"customer": [7]})
        self.assertIn("'customer' is not a join key", cm.exception.message)
        with self.assertRaises(FeatureStoreError) as cm:
            self.client.predict("churn/1", entities={"customer_id": [7]}, request_features={"city": [1.0]})
        self.assertEqual(cm.exception.name, "INVALID_ARGUMENT")
        with self.assertRaisesRegex(ValueError, "request_features: 'spend' has 1 value"):
            self.client.predict("churn/1", entities={"customer_id": [7, 8]}, request_features={"spend": [1.0]})
        self.assertEqual(self.client.health()["status"], "serving")


if __name__ == "__main__":
    unittest.main()
