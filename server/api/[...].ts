// Unknown API paths answer a JSON 404 instead of falling through to the page renderer.
export default defineEventHandler(() => {
  throw httpError(404, 'There is no API endpoint at this address.')
})
