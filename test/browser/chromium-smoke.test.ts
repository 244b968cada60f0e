import { describeWithChromium, launchChromium, type HeadlessChromium } from '../support/chromium.js';

describeWithChromium('headless Chromium (the harness the report tests use)', () => {
  let chromium: HeadlessChromium;
  beforeAll(async () => {
    chromium = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await chromium?.close();
  });

  test('renders a page and reads its text back', async () => {
    const page = await chromium.browser.newPage();
    await page.setContent('<p id="x">release <b>promoted</b></p><script>document.getElementById("x").dataset.ran = "yes"</script>');
    expect(await page.textContent('#x')).toBe('release promoted');
    expect(await page.getAttribute('#x', 'data-ran')).toBe('yes');
    await page.close();
  });
});
