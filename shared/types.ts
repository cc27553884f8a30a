/** A user as the API shows it: never the hash, never tokens. */
export interface PublicUser {
  id: number
  username: string
  email: string | null
  name: string
  isActive: boolean
  isSuperuser: boolean
  isUserManager: boolean
  mustChangePassword: boolean
  lastLoginAt: number | null
  createdAt: number
  updatedAt: number
}

export interface PublicSettings {
  productName: string
  localAuthEnabled: boolean
  forgotPasswordEnabled: boolean
  setupRequired: boolean
  passwordMinLength: number
}
