import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { loadConfig } from "./config.ts";
import { createServices, ServicesContext } from "./services.ts";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <ServicesContext value={createServices(config)}>
          <App />
        </ServicesContext>
      </StrictMode>,
    ),
  (error: Error) =>
    root.render(
      <main className="page">
        <h1>Twilio SIP trunk</h1>
        <p role="alert" className="alert alert-error">
          The page is not configured: {error.message}
        </p>
      </main>,
    ),
);
