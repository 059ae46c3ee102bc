import { describe, expect, it } from 'vitest';
import { withTrainOverrides } from '../../training/config/override';
import { tinyExperimentConfig } from './helpers/tiny-config';

describe('withTrainOverrides', () => {
  const config = tinyExperimentConfig('override-test');

  it('replaces the given settings and keeps the rest', () => {
    expect(withTrainOverrides(config, { workers: 2, backend: undefined }, 'cli')).toEqual({ ...config, train: { ...config.train, workers: 2 } });
    expect(withTrainOverrides(config, {}, 'cli')).toEqual(config);
  });

  it('holds an override to the rules of the config file', () => {
    expect(() => withTrainOverrides(config, { workers: 2, backend: 'tensorflow' }, 'the command line')).toThrow(
      /invalid experiment config the command line:\n {2}- train\.workers: the tensorflow backend uses every core itself/,
    );
    expect(() => withTrainOverrides(config, { workers: 3 }, 'cli')).toThrow(/train\.workers: expected integer in \[1, 2\], got 3/);
  });
});
