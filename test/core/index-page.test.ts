import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/samples/catalog';
import { indexPageHtml } from '../support/samples/index-page';

const listed = SAMPLES.map((sample) => {
  const { width, height } = sample.paint();
  return { file: sample.file, description: sample.description, width, height };
});

describe('index page', () => {
  it('is committed exactly as generated from the sample catalog (npm run samples)', () => {
    expect(readFileSync('src/assets/index.html', 'utf8'), 'src/assets/index.html is stale: run npm run samples').toBe(indexPageHtml(listed));
  });

  it('offers every sample once as a radio button, the first one checked', () => {
    const html = indexPageHtml(listed);
    const radios = [...html.matchAll(/<input type="radio" name="sample" value="([^"]+)"( checked)?>/g)];
    expect(radios.map(([, value]) => value)).toEqual(SAMPLES.map(({ file }) => `/samples/${file}`));
    expect(radios.map(([, , checked]) => checked !== undefined)).toEqual(SAMPLES.map((_, i) => i === 0));
  });

  it('sizes thumbnails 48 px high, keeping the aspect ratio', () => {
    const html = indexPageHtml([{ file: 'wide.png', description: 'wide', width: 192, height: 112 }]);
    expect(html).toContain('<img src="/samples/wide.png" alt="" width="82" height="48">');
  });

  it('escapes markup in file names and descriptions', () => {
    const html = indexPageHtml([{ file: 'a&b.png', description: '<b>"bold"</b>', width: 10, height: 10 }]);
    expect(html).toContain('<span class="name">a&amp;b.png</span><span class="description">&lt;b&gt;&quot;bold&quot;&lt;/b&gt;</span>');
    expect(html).not.toContain('<b>');
  });
});
