/** The two clients every part of the page uses: supabase-js for the session, the typed client for the functions. */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { type ApiClient, createApiClient } from "@twilio-sip/client";
import { createContext, useContext } from "react";
import type { PageConfig } from "./config.ts";

export interface Services {
  supabase: SupabaseClient;
  api: ApiClient;
}

export function createServices(config: PageConfig): Services {
  const supabase = createClient(config.supabaseUrl, config.publishableKey);
  const api = createApiClient({
    url: config.supabaseUrl,
    publishableKey: config.publishableKey,
    // getSession refreshes an expiring token first, so each request goes out with a live one.
    accessToken: async () => (await supabase.auth.getSession()).data.session?.access_token,
    region: config.functionsRegion,
  });
  return { supabase, api };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside <ServicesContext>");
  return services;
}
