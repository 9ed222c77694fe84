/**
 * Optional static PNG/SVG export of Plotly figures through Debian's `/usr/bin/chromium`, driven by
 * `playwright-core` (never `npx playwright install`). Also the browser launcher the HTML-report tests use.
 * @module
 */
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import type { Figure } from "./plotly.ts";
import { plainFigure, plotlyJsSource } from "./plotly.ts";
import { jsonForScript } from "./display.ts";
import { decodeBase64 } from "../util/base64.ts";

/** Where Debian installs chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Chromium flags that work headless in containers without a GPU or network. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Whether a chromium binary is present at `path`. */
export function chromiumAvailable(path = CHROMIUM_PATH): boolean {
  return existsSync(path);
}

/** A launched headless browser with its temporary profile. Close it with {@linkcode BrowserSession.close}. */
export interface BrowserSession {
  /** The playwright browser. */
  browser: Browser;
  /** Closes the browser (playwright removes its temporary profile). */
  close(): Promise<void>;
}

/** Launches headless chromium (fresh temporary profile); throws a clear error when it is absent. */
export async function launchChromium(path = CHROMIUM_PATH): Promise<BrowserSession> {
  if (!chromiumAvailable(path)) {
    throw new Error(
      `${path} not found: install Debian's chromium (apt-get install chromium) for browser features`,
    );
  }
  const { chromium } = await import("playwright-core");
  // playwright gives every launch a fresh temporary profile (it refuses an explicit --user-data-dir).
  const browser = await chromium.launch({ executablePath: path, headless: true, args: [...CHROMIUM_ARGS] });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/** The path of plotly.js (minified) from the `plotly.js-dist-min` package (re-exported from `plotly.ts`). */
export { plotlyScriptPath } from "./plotly.ts";

/** Options for {@linkcode FigureExporter.export}. */
export interface FigureImageOptions {
  /** `png` (default) or `svg`. */
  format?: "png" | "svg";
  /** Width in pixels. Default 800. */
  width?: number;
  /** Height in pixels. Default 500. */
  height?: number;
  /** Pixel ratio for PNG. Default 1. */
  scale?: number;
}

/** Renders figures to static images in one browser page (start ≈ 2 s, then ≈ 30 ms per figure). */
export interface FigureExporter {
  /** Renders `figure` and returns PNG bytes or SVG text as bytes. */
  export(figure: Figure, options?: FigureImageOptions): Promise<Uint8Array>;
  /** Closes the browser. */
  close(): Promise<void>;
}

/** Starts a {@linkcode FigureExporter} (needs `/usr/bin/chromium`). */
export async function createFigureExporter(path = CHROMIUM_PATH): Promise<FigureExporter> {
  const session = await launchChromium(path);
  try {
    const page = await session.browser.newPage();
    await page.setContent("<!DOCTYPE html><html><body></body></html>");
    await page.addScriptTag({ content: plotlyJsSource() });
    return {
      async export(figure, options = {}) {
        const plain = plainFigure(figure);
        const format = options.format ?? "png";
        const script = `window.Plotly.toImage({data: ${jsonForScript(plain.data)}, layout: ${
          jsonForScript(plain.layout ?? {})
        }}, {format: ${jsonForScript(format)}, width: ${options.width ?? 800}, height: ${
          options.height ?? 500
        }, scale: ${options.scale ?? 1}})`;
        const url = await page.evaluate(script) as string;
        const comma = url.indexOf(",");
        const header = url.slice(0, comma);
        const body = url.slice(comma + 1);
        if (header.endsWith(";base64")) return decodeBase64(body);
        return new TextEncoder().encode(decodeURIComponent(body));
      },
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}
