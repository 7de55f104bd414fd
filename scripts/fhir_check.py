#!/usr/bin/env python3
"""Checks Cercle's FHIR directory with real FHIR tools from PyPI.

    fhir_check.py --base http://127.0.0.1:8080/fhir --token <bearer token>

- Every resource the server returns (the CapabilityStatement, each search
  Bundle page, every entry, every read, every OperationOutcome) is parsed
  with the FHIR R4 (4.0.1) models of `fhir.resources` 6.4.0, which refuse
  unknown elements, wrong types and missing required elements.
- The searches go through `fhirpy` 2.3.1's synchronous client: every type is
  fetched page by page following the Bundle's `next` links (`_count=2`), each
  resource is read back by id, and each search parameter is tried from the
  data found (name, family, given, identifier, _id, and the references).
- An unknown parameter must come back as an OperationOutcome (400).

Prints one JSON line `{"summary": …}` (the names found per type) and exits
1 at the first failure. Installed by scripts/test.sh into
~/.cache/cercle-fhir-tools; run by the Rust test `fhir_tools`.
"""

import argparse
import json
import sys

import requests
from fhir.resources import __fhir_version__, construct_fhir_element
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome as OutcomeError

TYPES = ["Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService"]
FHIR_JSON = "application/fhir+json"


class Check:
    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": FHIR_JSON}
        self.client = SyncFHIRClient(self.base, authorization=f"Bearer {token}")
        self.validated = 0

    def fail(self, why):
        print(f"FAIL: {why}", file=sys.stderr)
        sys.exit(1)

    def validate(self, data, expected_type=None):
        """Parses `data` with the R4 model of its resourceType."""
        if not isinstance(data, dict) or "resourceType" not in data:
            self.fail(f"not a resource: {data!r}")
        if expected_type and data["resourceType"] != expected_type:
            self.fail(f"expected {expected_type}, got {data['resourceType']}: {data}")
        try:
            construct_fhir_element(data["resourceType"], data)
        except Exception as e:  # pydantic.ValidationError and friends
            self.fail(f"{data['resourceType']} is not valid FHIR R4: {e}\n{json.dumps(data)}")
        self.validated += 1

    def get(self, path, params=None, status=200):
        r = requests.get(f"{self.base}/{path}", params=params, headers=self.headers, timeout=20)
        if r.status_code != status:
            self.fail(f"GET {path} {params}: {r.status_code}, expected {status}: {r.text}")
        if not r.headers.get("content-type", "").startswith(FHIR_JSON):
            self.fail(f"GET {path}: content type {r.headers.get('content-type')}")
        return r.json()

    def search(self, rtype, **params):
        """Every match, through fhirpy (following `next` links); each
        resource validated."""
        found = self.client.resources(rtype).search(**params).limit(2).fetch_all()
        out = []
        for res in found:
            data = res.serialize()
            self.validate(data, rtype)
            out.append(data)
        return out

    def ids(self, rtype, **params):
        return sorted(r["id"] for r in self.search(rtype, **params))

    def run(self):
        if __fhir_version__ != "4.0.1":
            self.fail(f"fhir.resources models FHIR {__fhir_version__}, not R4 4.0.1")
        cap = self.get("metadata")
        self.validate(cap, "CapabilityStatement")
        if cap.get("fhirVersion") != "4.0.1":
            self.fail(f"fhirVersion {cap.get('fhirVersion')}")

        summary = {}
        everything = {}
        for rtype in TYPES:
            # The raw Bundle pages are resources too.
            page = self.get(rtype, {"_count": 2})
            while True:
                self.validate(page, "Bundle")
                if page.get("type") != "searchset":
                    self.fail(f"Bundle type {page.get('type')}")
                nxt = [l["url"] for l in page.get("link", []) if l["relation"] == "next"]
                if not nxt:
                    break
                r = requests.get(nxt[0], headers=self.headers, timeout=20)
                page = r.json()
            found = self.search(rtype)
            if len({r["id"] for r in found}) != len(found):
                self.fail(f"{rtype}: paging returned a resource twice")
            total = self.get(rtype, {"_count": 1})["total"]
            if total != len(found):
                self.fail(f"{rtype}: total {total}, but {len(found)} fetched through the pages")
            everything[rtype] = found
            # Each one read back by id, through fhirpy, the same.
            for data in found:
                back = self.client.reference(rtype, data["id"]).to_resource().serialize()
                self.validate(back, rtype)
                if back != data:
                    self.fail(f"{rtype}/{data['id']} read differs from its search entry")
            summary[rtype] = sorted(label(r) for r in found)

        for p in everything["Practitioner"]:
            pid = p["id"]
            name = p["name"][0]
            if self.ids("Practitioner", _id=pid) != [pid]:
                self.fail(f"_id={pid}")
            ident = p["identifier"][0]
            if pid not in self.ids("Practitioner", identifier=f"{ident['system']}|{ident['value']}"):
                self.fail(f"identifier of {pid}")
            if pid not in self.ids("Practitioner", name=name["text"].split()[-1].lower()):
                self.fail(f"name of {pid}")
            if "family" in name and pid not in self.ids("Practitioner", family=name["family"]):
                self.fail(f"family of {pid}")
            for g in name.get("given", []):
                if pid not in self.ids("Practitioner", given=g):
                    self.fail(f"given {g} of {pid}")
            roles = self.search("PractitionerRole", practitioner=f"Practitioner/{pid}")
            for r in roles:
                if r["practitioner"]["reference"] != f"Practitioner/{pid}":
                    self.fail(f"practitioner= returned another's role: {r}")
        for o in everything["Organization"]:
            oid = o["id"]
            if oid not in self.ids("Organization", name=o["name"]):
                self.fail(f"name of Organization/{oid}")
            for rtype, field in [
                ("Location", "managingOrganization"),
                ("HealthcareService", "providedBy"),
                ("PractitionerRole", "organization"),
            ]:
                expected = sorted(
                    r["id"] for r in everything[rtype] if r.get(field, {}).get("reference") == f"Organization/{oid}"
                )
                if self.ids(rtype, organization=oid) != expected:
                    self.fail(f"{rtype}?organization={oid}")
        for loc in everything["Location"]:
            lid = loc["id"]
            if lid not in self.ids("Location", name=loc["name"]):
                self.fail(f"name of Location/{lid}")
            expected = sorted(
                r["id"]
                for r in everything["PractitionerRole"]
                if any(l["reference"] == f"Location/{lid}" for l in r.get("location", []))
            )
            if self.ids("PractitionerRole", location=f"Location/{lid}") != expected:
                self.fail(f"PractitionerRole?location={lid}")

        # Refusals are OperationOutcomes, through the client and raw.
        try:
            self.client.resources("Practitioner").search(birthdate="2000-01-01").fetch()
            self.fail("an unknown parameter was accepted")
        except OutcomeError:
            pass
        for path, params, status in [
            ("Practitioner", {"birthdate": "2000"}, 400),
            ("Practitioner", {"_count": "many"}, 400),
            ("Practitioner/00000000-0000-0000-0000-000000000000", None, 404),
            ("Patient", None, 404),
        ]:
            self.validate(self.get(path, params, status), "OperationOutcome")

        print(json.dumps({"summary": summary, "validated": self.validated}, ensure_ascii=False))


def label(r):
    if r["resourceType"] == "Practitioner":
        return r["name"][0]["text"]
    if r["resourceType"] == "PractitionerRole":
        return f"{r['practitioner'].get('display', '')} @ {r['location'][0].get('display', '')}"
    return r["name"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the FHIR base URL, e.g. http://127.0.0.1:8080/fhir")
    ap.add_argument("--token", required=True, help="a bearer token of a signed-in professional")
    args = ap.parse_args()
    Check(args.base, args.token).run()


if __name__ == "__main__":
    main()
