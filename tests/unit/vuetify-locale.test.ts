import { describe, expect, it } from 'vitest'
import { pageLocale } from '../../utils/vuetify-locale'

describe('Vuetify\'s texts in the page\'s language (utils/vuetify-locale.ts)', () => {
  const { t, provide } = pageLocale('en')
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
  it('is one language for the whole page: the one it is rendered in, then the one picked on Profile', () => {
    expect(provide({ locale: 'de' }).t('$vuetify.close')).toBe('Close')
    const de = pageLocale('de')
    expect(de.t('$vuetify.close')).toBe('Schließen')
    expect(de.provide({ locale: 'en' }).t('$vuetify.noDataText')).toBe('Keine Daten vorhanden')
    de.current.value = 'en'
    expect(de.t('$vuetify.close')).toBe('Close')
  })
  it('falls back to English for a language it does not know', () => {
    expect(pageLocale('xx').t('$vuetify.close')).toBe('Close')
  })
})
