declare module '#auth-utils' {
  interface User {
    id: number
  }
  interface SecureSessionData {
    sid: string
    sv: number
  }
}

export {}
