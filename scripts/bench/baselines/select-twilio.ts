/**
 * Baseline: the one-SELECT handler plus the official twilio package, imported as its README shows. What any
 * function that calls Twilio starts from.
 */
import twilio from "twilio";
import "./select.ts";

if (typeof twilio !== "function") throw new Error("the twilio package did not load");
