import { launchBrowser, type TestBrowser } from './browser';

/** A fresh Chromium signed in to the portal with an API key through the sign-in form (the browser keeps only the cookie). */
export async function signInWithKey(url: string, key: string): Promise<TestBrowser> {
  const browser = await launchBrowser();
  const { page } = browser;
  await page.goto(`${url}/portal/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in with an API key' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return browser;
}
