/**
 * Baseline (shown, not judged): the one-SELECT handler plus the official twilio package with the two API domains
 * the product calls built, as a first Twilio call builds them (the SDK loads a domain's code on first access).
 */
import twilio from "twilio";
import "./select.ts";

const client = twilio("AC00000000000000000000000000000000", "0".repeat(32));
if (!client.api.v2010 || !client.trunking.v1) throw new Error("the twilio package did not load");
