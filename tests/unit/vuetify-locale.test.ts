import { describe, expect, it } from 'vitest'
import { englishLocale } from '../../utils/vuetify-locale'

describe('Vuetify\'s texts in English (utils/vuetify-locale.ts)', () => {
  const { t, provide } = englishLocale()
  it('reads Vuetify\'s keys from its catalogue, with their placeholders filled', () => {
    expect(t('$vuetify.close')).toBe('Close')
    expect(t('$vuetify.input.clear', 'Search users')).toBe('Clear Search users')
    expect(t('$vuetify.pagination.ariaLabel.page', 3)).toBe('Go to page 3')
  })
  it('gives other text back as it is, and an unknown key as the key', () => {
    expect(t('Rows: {0}', 5)).toBe('Rows: 5')
    expect(t('$vuetify.no.such.key')).toBe('$vuetify.no.such.key')
    expect(t('$vuetify.input')).toBe('$vuetify.input')
  })
  it('is one language for the whole page', () => {
    expect(provide({ locale: 'de' }).t('$vuetify.close')).toBe('Close')
  })
})
