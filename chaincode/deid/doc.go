// Package deid de-identifies public-health case reports for exchange on the
// GovLedger ledger. It is pure Go with no Fabric imports, because two sides
// use it: hospitals' gateways call FromFHIR to turn FHIR R4 bundles into
// Reports, and the health chaincode calls DecodeReport and Check to refuse
// anything that still identifies a patient. Running the same gate on both
// sides means a hospital learns at its own edge, not from a failed
// transaction, that a record would be refused.
//
// # What a Report is
//
// A Report has no free-text field. Each field is a closed vocabulary (sex,
// age band, interpretation, code system) or a strict code format (ICD-10,
// SNOMED CT concept id with Verhoeff check digit, LOINC with mod-10 check
// digit, ISO week, 3-digit region, 64-hex patient key). The patient key is
// Pseudonym: an HMAC-SHA256 under a secret shared by the reporting hospitals,
// so the same patient reported twice links without anyone on the ledger
// learning who it is.
//
// # The gate and the Safe Harbor checklist
//
// Check uses the 18 identifiers of the HIPAA Safe Harbor method
// (45 CFR 164.514(b)(2)(i)) as its checklist. Every field is scanned for
// identifier patterns even when it also has a strict format, so loosening a
// format later cannot silently open a leak. A failure is a *Violation naming
// the field and the Rule, wrapping ErrIdentifier (possible disclosure) or
// ErrFormat (malformed); errors never quote the value.
//
//	(A) names                      RuleName: no field takes free text; a value outside its vocabulary
//	                               that contains a word is rejected as possible free text; titles
//	                               ("Dr. X") and name labels are detected anywhere
//	(B) geographic subdivisions    RuleAddress (street, PO box, unit), RulePostalCode (ZIP, ZIP+4,
//	                               UK and Canadian postcodes, 5+ digit runs), RuleSmallPopulation
//	                               (a configured small-population prefix not reported as 000);
//	                               city and county names are impossible by construction (RuleName)
//	(C) dates and ages over 89     RuleDate (full dates in any common layout, compact YYYYMMDD,
//	                               ISO week dates with a weekday, ordinal dates, times of day);
//	                               RuleAge (ages 90+ written out; any age band above 85-89 except 90+)
//	(D) telephone, (E) fax         RulePhone (international, NANP, local, 10-11 digit runs)
//	(F) e-mail                     RuleEmail
//	(G) social security numbers    RuleNationalID (SSN with separators or as a 9-digit run, UK NINO)
//	(H) medical record numbers,
//	(I) health plan numbers,
//	(J) account numbers            RuleRecordNumber (digit runs of 7+, grouped digits totalling 7+,
//	                               letter-prefixed numbers like MRN0012345, Medicare MBIs, labels)
//	(K) certificate/licence nos.   RuleLicense (labels; DEA-style numbers fall under RuleRecordNumber)
//	(L) vehicle ids, plates        RuleVehicle (17-character VINs, labels)
//	(M) device ids and serials     RuleDevice (MAC addresses, GS1 UDIs, 15-digit IMEIs, labels)
//	(N) URLs                       RuleURL
//	(O) IP addresses               RuleIP (IPv4 and IPv6)
//	(P) biometric identifiers      RuleBiometric (finger, voice, face, palm prints, iris, retina)
//	(Q) full-face photographs      RulePhoto (data: URIs, PNG/JPEG/GIF base64 signatures, any
//	                               base64 run of 40+ characters); a 4 KiB report cannot hold a photo
//	(R) other unique codes         RuleUniqueCode (UUIDs, URNs, OIDs, opaque tokens of 12+ mixed
//	                               characters); the patient key is the one code a report may carry
//
// A SNOMED CT concept id, a LOINC code and the patient key are themselves long
// digit or hex runs. For those three fields, when the whole value is a valid
// code of the field's format (check digit, partition, length), the long-run
// and opaque-token rules are skipped and every other rule still runs. The
// residual risk is that, say, an SSN typed into the SNOMED field passes if it
// happens to end in a concept partition and a valid Verhoeff digit (about one
// in 500).
//
// # What is and is not guaranteed
//
// Guaranteed: a Report that passes Check contains only values from the
// vocabularies and formats above, none of which matches the identifier
// patterns; FromFHIR never copies names, telecoms, addresses, identifiers or
// dates into its output, only the derived fields; errors carry paths and
// rules, never values.
//
// Not guaranteed: that the data set is de-identified in the legal sense.
// Two fields deliberately go beyond Safe Harbor, which permits no date element
// finer than the year and no re-identification code derived from patient
// information (164.514(c)): the onset week, and the patient key, an HMAC of an
// identifier. Disclosing them needs an expert determination under
// 164.514(b)(1), which this package does not make. The pseudonym is only as
// strong as the secret: anyone holding it can confirm a guessed SSN. The
// small-population prefix list is configuration and must follow the current
// census; SafeHarbor2000Prefixes is the 2000-census list from HHS guidance.
// Pattern detection is a heuristic: it catches the usual shapes of each
// identifier, not every conceivable encoding. Safe Harbor's second condition,
// that the covered entity has no actual knowledge the rest could identify
// someone, cannot be judged from one record. Finally, a combination of
// fields (week, age band, sex, region, a rare condition) can be unique even
// when no field is an identifier; small-cell suppression of aggregates is
// the health contract's job, not this package's.
package deid
