package demo

// English demo conversations (see lines in content.go for the stages).

var frameEN = frame{
	Greet:         []string{"Hi {first},", "Hello {first},"},
	Sign:          []string{"Best regards,\n{agent}", "Kind regards,\n{agent}\nCustomer support"},
	CustomerGreet: []string{"Hi,", "Hello,"},
	CustomerSign:  []string{"Thanks,\n{name}", "Best regards,\n{name}"},
	Phone:         "Phone call from {name}. In the caller's words:",
}

var linesEN = map[string]lines{
	"order_late": {
		Subject: []string{"Where is my order {order}?", "Order {order} still not delivered"},
		Opening: []string{
			"I ordered the {product} ten days ago (order {order}) and the tracking hasn't moved since Monday. Can you find out what's going on?",
			"My order {order} should have arrived last Friday, but nothing has come. The tracking number {tracking} just says \"in transit\", and I need the {product} before the weekend.",
		},
		Ask: []string{
			"Sorry for the wait. Order {order} left our warehouse on time, so I've opened an inquiry with the carrier about parcel {tracking}. Meanwhile, could you check your mailbox and with your neighbours for a delivery notice?",
			"Thanks for getting in touch. The carrier shows parcel {tracking} at their sorting centre without a delivery scan. Could you confirm that the delivery address on order {order} is still right, including the flat number?",
		},
		Answer: []string{"The address on the order is right, and there's no notice in the mailbox or with the neighbours."},
		Update: []string{"The carrier has replied: parcel {tracking} was sent to the wrong terminal and is being rerouted. I'm keeping an eye on it and will write again if it hasn't moved by tomorrow."},
		Nudge:  []string{"It's been two days and the tracking for {tracking} still hasn't changed."},
		Resolve: []string{
			"The carrier can't find parcel {tracking}, so I've sent you a new {product} by express at our cost; the new tracking number comes by email today. If the first parcel turns up after all, just refuse it and it comes back to us.",
			"Good news: the carrier found parcel {tracking} at their terminal, and it's out for delivery now. As an apology for the delay, I've refunded the shipping cost of order {order}.",
		},
		Reopen:   []string{"The tracking now says \"delivered\", but nothing has arrived here and nobody signed for it."},
		Reopened: []string{"I'm sorry, that shouldn't happen. I've filed a claim with the carrier for a missing delivery and refunded order {order} in full; it shows on your statement within 3–5 working days."},
		Notes: []string{
			"Inquiry opened with the carrier for {tracking}; they answer within 24 hours.",
			"Several parcels through the same terminal are late this week – told the logistics team.",
		},
	},
	"damaged_item": {
		Subject: []string{"Damaged item in order {order}", "Order {order} arrived broken"},
		Opening: []string{
			"Order {order} arrived today, and there's a crack right through the {product}. The box looked fine from the outside. I'd like a replacement.",
			"I've just unpacked order {order}: the {product} is damaged and can't be used. What happens now?",
		},
		Ask: []string{
			"I'm sorry it arrived like that. Could you send us a photo or two of the damage and of the box? Then I'll arrange a replacement straight away.",
			"That's not how it should arrive – sorry. So that I can report it to the carrier, could you reply with a photo of the damage and of the shipping label?",
		},
		Answer: []string{"Photos attached. The damage is on the left side, and the box has a dent in the same corner."},
		Update: []string{"Thanks for the photos. I've reported the damage to the carrier and reserved a new {product} for you; it ships as soon as the warehouse has confirmed the stock."},
		Nudge:  []string{"Has the replacement been sent yet? I haven't had a shipping email."},
		Resolve: []string{
			"A new {product} is on its way to you, and you'll get tracking by email. There's no need to send the damaged one back – please recycle it.",
			"I've sent you a replacement {product} with a prepaid return label in the box. Please use it to send the damaged one back within 30 days; it costs you nothing.",
		},
		Reopen:   []string{"The replacement arrived today, but it's a different colour from the one I ordered."},
		Reopened: []string{"You're right, the warehouse picked the wrong colour. I've sent the right one by express – keep the other one or give it away, whichever suits you."},
		Notes: []string{
			"Third damaged parcel from this warehouse this week – flagged to logistics.",
			"Damage reported to the carrier for order {order}; compensation claim filed.",
		},
	},
	"return_refund": {
		Subject: []string{"Return of order {order}", "Returning the {product}"},
		Opening: []string{
			"I'd like to return order {order}. The {product} is unused and in its original box – it just isn't what I expected. How do I send it back?",
			"I want to send back the {product} from order {order} ({amount}); it doesn't suit me. Can I get my money back?",
		},
		Ask: []string{
			"Of course – you're well within the 30-day return period. I've emailed you a prepaid return label; stick it on the box and drop it off at any parcel point. Let me know when it's on its way.",
			"No problem. I've registered a return of order {order} and emailed you a prepaid label. Drop the parcel off at any parcel point and reply here once it's sent, so I can watch for it.",
		},
		Direct: []string{"Of course – you're within the 30-day return period. I've emailed you a prepaid return label for order {order}; once the {product} is back in our warehouse, {amount} is refunded to your card automatically."},
		Answer: []string{"Thanks for the label. The parcel went off at the post office this morning."},
		Update: []string{"Thanks. The tracking shows your parcel on its way to our warehouse. The refund goes out as soon as it's checked in, usually within two working days of arrival."},
		Nudge:  []string{"The tracking says the parcel reached your warehouse on Tuesday. When will I see the money?"},
		Resolve: []string{
			"Your return has been checked in, and I've refunded {amount} to the card you paid with. Depending on your bank it shows within 3–5 working days.",
			"All done: the {product} is back with us, and the refund of {amount} for order {order} has been paid. You'll get a confirmation by email as well.",
		},
		Reopen:   []string{"The refund has arrived, thanks – but the shipping I paid wasn't included. Isn't that refunded too?"},
		Reopened: []string{"You're right: when the whole order is returned, the original shipping is refunded too. I've sent it separately, so it shows as its own line on your statement."},
		Notes: []string{
			"Return registered for {order}; the refund is released automatically at check-in.",
			"Item checked at the warehouse: unused, can go back into stock.",
		},
	},
	"exchange_size": {
		Subject: []string{"Exchange for size {newsize}", "Wrong size in order {order}"},
		Opening: []string{
			"The {product} from order {order} in size {size} is too small. Can I exchange it for size {newsize}?",
			"I ordered the {product} in size {size} (order {order}), but it's too tight. I'd like size {newsize} instead, if you have it.",
		},
		Ask: []string{
			"Of course – size {newsize} is in stock, and I've reserved one for you. I've emailed you a prepaid return label; let me know when you've sent the size {size} back.",
			"Happy to help. I've set up an exchange to size {newsize} and sent you a return label by email. Once the size {size} is on its way back to us, just reply here.",
		},
		Direct: []string{"Of course – size {newsize} is in stock. I've emailed you a prepaid return label for the size {size}; as soon as the carrier scans your parcel, we send size {newsize} to you."},
		Answer: []string{"Thanks! The parcel with size {size} went off at the post office this morning."},
		Update: []string{"Thanks – I can see your parcel in the carrier's system. Size {newsize} leaves our warehouse as soon as the return is scanned at their terminal."},
		Nudge:  []string{"The tracking says my return has arrived. Has size {newsize} been sent?"},
		Resolve: []string{
			"Size {newsize} of the {product} is on its way, and you'll get tracking by email today. Your return from order {order} is registered, so there's nothing more you need to do.",
			"The exchange is complete: size {newsize} went out today, and the size {size} has been checked in at our warehouse.",
		},
		Reopen:   []string{"Size {newsize} fits perfectly, thanks. But I was charged a return fee – I thought exchanges were free?"},
		Reopened: []string{"They are, and I'm sorry about that. The fee was added by mistake, and I've refunded it to your card."},
		Notes: []string{
			"Exchange order created for {order}; size {newsize} reserved for 7 days.",
			"Size {size} of this model often comes back as too small – passed on to the buying team.",
		},
	},
	"refund_missing": {
		Subject: []string{"Refund for order {order} not received", "Still waiting for my refund"},
		Opening: []string{
			"I returned order {order} more than two weeks ago, and your email said the refund of {amount} was on its way. Nothing has reached my account yet.",
			"You confirmed my return of order {order} last week, but the {amount} still hasn't come back to my card. Where is my refund?",
		},
		Ask: []string{
			"Thanks for your patience. I can see the refund of {amount} for order {order} was approved. Could you tell me which card you paid with, so I can match it with our payment provider?",
			"Sorry about the wait. To trace the payment I need one detail: did you pay by card, by invoice or with a mobile payment app?",
		},
		Answer: []string{"By card – the Visa ending in {card}."},
		Update: []string{"Thanks. The payment provider says the refund was held because your bank has replaced the card ending in {card}. They're releasing it to the new card, which takes a few more days."},
		Nudge:  []string{"It's been four days now, and there's still nothing on my statement."},
		Resolve: []string{
			"The refund of {amount} for order {order} went out today; the payment reference is in the email I've just sent you. Most banks show it within 3–5 working days.",
			"Our finance team confirms that {amount} for order {order} was paid back to your card this week. If it isn't on your statement by Friday, send us a screenshot and we'll take it up with the bank.",
		},
		Reopen:   []string{"My bank says the refund was sent back to you because the reference didn't match my account."},
		Reopened: []string{"Thanks for checking with your bank. I've cancelled the first refund and sent {amount} again by bank transfer; this time it's tracked on our side, and I'll confirm when it has cleared."},
		Notes: []string{
			"Refund approved on the return date; stuck at the payment provider.",
			"Finance confirms a payout batch failed for several refunds last week.",
		},
	},
	"double_charge": {
		Subject: []string{"Charged twice for order {order}", "Double payment for one order"},
		Opening: []string{
			"I've been charged {amount} twice for order {order} – both payments are on my card statement on the same day. Please refund one of them.",
			"My bank shows two identical payments of {amount} for one order ({order}). I only ordered once.",
		},
		Ask: []string{
			"Sorry about that. Sometimes one of the two is only a reservation that drops off by itself. Could you check whether both payments are marked as completed, or whether one says pending?",
			"Thanks for telling us. Before I refund anything: are both payments of {amount} completed on your statement, or is one of them still pending?",
		},
		Answer: []string{"Both are completed, not pending – the money has left my account twice."},
		Update: []string{"Thanks. I can confirm the second payment was taken by mistake when our payment page timed out. I've asked finance to refund it and will confirm once it's done."},
		Nudge:  []string{"Do you know roughly how long the refund will take?"},
		Resolve: []string{
			"The duplicate payment of {amount} for order {order} has been refunded to your card today. You'll see it within 3–5 working days – sorry for the trouble.",
			"I've refunded the second charge of {amount}. Order {order} is now paid once, as it should be, and a confirmation is on its way by email.",
		},
		Reopen:   []string{"The refund arrived, thank you – but my bank also charged a foreign transaction fee for the second payment. Can you cover that too?"},
		Reopened: []string{"That's fair, since the fee came from our mistake. I've refunded an extra amount to cover it; it shows as a separate line on your statement."},
		Notes: []string{
			"Payment provider log: timeout and retry at checkout, captured twice.",
			"The checkout retry bug is already reported to the web team.",
		},
	},
	"invoice_copy": {
		Subject: []string{"Copy of invoice {invoice}", "Company invoice for order {order}"},
		Opening: []string{
			"Could you send me a copy of invoice {invoice} for order {order}? I need it for our accounts and can't find the original email.",
			"I need an invoice for order {order} with our company name and VAT number on it so I can claim the expense. Invoice {invoice} only has my own name.",
		},
		Ask: []string{
			"Happy to help. I'll make the invoice out with the details in your account profile – are the company name and VAT number there up to date?",
			"Of course. Before I issue invoice {invoice} again: could you check that the company name and VAT number in your account profile are current? I'll use those.",
		},
		Direct: []string{"Here's invoice {invoice} for order {order} as a PDF, made out with the details in your account profile. You can download all your invoices under Account → Orders."},
		Answer: []string{"Please use our company name and VAT number as they are in my account profile – I've just updated them."},
		Update: []string{"Thanks. Changing the buyer on an invoice needs a credit note and a new invoice, so our accounting team is making both; they'll be ready tomorrow."},
		Nudge:  []string{"Just checking – is the new invoice ready? Our books close on Friday."},
		Resolve: []string{
			"Attached is the new invoice {invoice} for order {order}, with the company name and VAT number from your profile; the earlier version has been credited.",
			"Done – invoice {invoice} has been reissued to your company and is attached as a PDF. It replaces the earlier version, which is now credited.",
		},
		Reopen:   []string{"Thanks – but the VAT number on the invoice is missing the country code at the start. Could you add it?"},
		Reopened: []string{"Sorry, our invoice template cut it off. I've corrected it and attached invoice {invoice} again with the full VAT number."},
		Notes: []string{
			"Invoice reissued in the billing system; credit note linked to {invoice}.",
			"Customer's VAT number checked in the public register – valid.",
		},
	},
	"login_problem": {
		Subject: []string{"Can't log in to my account", "Password reset email doesn't arrive"},
		Opening: []string{
			"Since this morning I can't log in. It says my password is wrong, but I haven't changed it, and the reset email never arrives. My account is {email}.",
			"I've asked for a password reset three times now and no email has come, not even in the spam folder. I sign in with {email}.",
		},
		Ask: []string{
			"Sorry for the trouble. I can see our reset emails to {email} were refused by the receiving mail server. Could you check whether your mail provider blocks messages from new senders?",
			"Thanks for writing. The account {email} was locked after several failed attempts, which also stops reset emails. Is the mobile number on your account still yours, so I can send you a code by SMS instead?",
		},
		Answer: []string{"I can't change anything on the mail server myself, but the mobile number on my account is right – a code by SMS would be fine."},
		Update: []string{"Thanks. I've unlocked the account and asked our mail team why {email} doesn't receive our emails. I'll be in touch as soon as I know more."},
		Nudge:  []string{"Any news? I still can't get in without the reset email."},
		Resolve: []string{
			"I've unlocked your account and sent a new reset link to {email}, this time from an address your mail server accepts. The link is valid for an hour – tell me if it doesn't show up.",
			"Your account {email} is unlocked, and instead of the reset email I've sent you a one-time login code by SMS. Sign in with it and choose a new password; the code is valid for 15 minutes.",
		},
		Reopen:   []string{"It worked yesterday, but today I'm locked out again with the same message."},
		Reopened: []string{"I found the cause: an old app on your phone kept trying the previous password and locked the account again. Please sign out of the app and sign in with the new password there; I've unlocked the account once more."},
		Notes: []string{
			"Mail log shows 550 from the customer's mail server – our sending domain is blocked.",
			"Account locked after 10 failed attempts from the same device.",
		},
	},
	"bug_report": {
		Subject: []string{"The app crashes when I open My orders", "Order history empty in the app"},
		Opening: []string{
			"Since I updated the app to version {version}, it closes as soon as I open My orders. I've restarted the phone and reinstalled the app – same thing.",
			"After the update to {version} the app shows an empty order history, although I've ordered several times. The website shows all my orders.",
		},
		Ask: []string{
			"Thanks for the report. Which phone and operating system version do you use? That helps our developers reproduce it.",
			"Sorry about that, and thanks for telling us. Could you tell me your phone model and its system version? Then I'll pass it straight to the developers.",
		},
		Answer: []string{"It's an Android phone on Android 14, and the app is up to date."},
		Update: []string{"Thanks – the developers have reproduced it on Android 14 with version {version}, and a fix is being tested. Until then, My orders on the website shows the same information."},
		Nudge:  []string{"Is there a date for the fix? I use the app every day."},
		Resolve: []string{
			"The fix is out in version {fixversion}. Please update the app from the store and tell me if it works for you.",
			"Version {fixversion} is in the app store now and fixes the problem you reported. Thanks for the clear description – it helped the developers find it quickly.",
		},
		Reopen:   []string{"It works on my phone now, but my tablet still has the problem, and the store doesn't offer the update there yet."},
		Reopened: []string{"The store can take up to a day to roll an update out to every device. If the tablet hasn't got {fixversion} by tomorrow, removing and reinstalling the app fetches the new version."},
		Notes: []string{
			"Reproduced on Android 14 with {version}; linked to the crash report in the bug tracker.",
			"Twelve other customers have reported the same since {version}.",
		},
	},
	"feature_request": {
		Subject: []string{"Suggestion for the shop", "Feature request"},
		Opening: []string{
			"I shop with you a lot, and one thing I miss is {feature}. Is that something you're planning?",
			"Could you add {feature}? It would make ordering much easier for me, and I suspect for others too.",
		},
		Ask: []string{
			"Thanks for the suggestion! To pass it on properly: how would you use it, and how often? Real examples help the product team decide.",
			"That's a good idea, thank you. Could you tell me a bit about when you'd use it? The product team weighs requests by how people would use them.",
		},
		Answer: []string{"I order something almost every week, and right now I have to work around it every time. It would save me quite a bit of hassle."},
		Update: []string{"Thanks, that's useful. I've added your request to our product board, which the team reviews every month, and I'll let you know what they decide."},
		Nudge:  []string{"Any word from the product team?"},
		Resolve: []string{
			"Good news: the product team has put {feature} on the plan for next quarter. I've linked your request to it, so you'll get an email when it's available.",
			"I've passed your suggestion ({feature}) to the product team. It isn't planned right now, but requests are reviewed again every quarter, and yours is recorded there.",
		},
		Reopen:   []string{"Thanks. Can other customers vote for it somewhere as well?"},
		Reopened: []string{"Not publicly yet, but every customer who asks for it is added to the same request, which raises its priority. Feel free to tell others to write to us."},
		Notes: []string{
			"Logged on the product board; 23 requests for this so far.",
			"The product team reviews the board on the first Monday of each month.",
		},
	},
	"complaint": {
		Subject: []string{"Complaint about order {order}", "Very disappointed with your service"},
		Opening: []string{
			"I'm very unhappy. Order {order} came late and incomplete, and your chat left me waiting for an hour. I paid {amount} and expected better.",
			"This is the third time I'm writing about order {order}, and still nobody has fixed it. I expect an answer from someone who can actually decide something.",
		},
		Ask: []string{
			"I'm sorry – you shouldn't have had to chase us. I've read the whole history of order {order} and I'm handling your case myself from now on. What would put this right for you: a refund, or a replacement sent by express?",
			"Thank you for your patience, and I apologise for how this has gone. I've taken over your case personally. Would you prefer a refund of the order or a new delivery by express at our cost?",
		},
		Answer: []string{"A refund, please. I don't want to wait for another delivery."},
		Update: []string{"Understood. I've requested a full refund of {amount}; for this amount a manager has to approve it, and I'll confirm as soon as that's done, by tomorrow at the latest."},
		Nudge:  []string{"Has it been approved? I'd like this closed."},
		Resolve: []string{
			"I've refunded the full {amount} for order {order} and added a voucher for free shipping on your next order as an apology. I've also shared your case with the team so it doesn't happen to anyone else.",
			"You're right, and I'm sorry. I've refunded {amount} for order {order} and noted on your account that any future case goes straight to a senior agent.",
		},
		Reopen:   []string{"The refund came through, thank you. Just so you know: I got a survey asking if I was satisfied before any of this was sorted."},
		Reopened: []string{"Thanks for telling us – that survey should have waited until your case was solved. I've passed it on so the timing gets fixed, and your feedback is noted on the case."},
		Notes: []string{
			"Escalated: two earlier tickets about {order} were closed without a fix.",
			"Add to the QA review – the handover between shifts failed on this case.",
		},
	},
	"gdpr_request": {
		Subject: []string{"Request for a copy of my personal data", "Data access request (GDPR)"},
		Opening: []string{
			"Under the GDPR, I'd like a copy of all the personal data you hold about me. My account is {email}.",
			"Please send me an overview of the personal data you store about me and what you use it for. I'm registered with {email}.",
		},
		Ask: []string{
			"Thanks for your request. To protect your data we first need to confirm it's you: please log in and confirm the request under Account → Privacy.",
			"We've registered your request. Before we send anything, please confirm it under Account → Privacy while logged in as {email} – that way we know the request comes from you.",
		},
		Answer: []string{"I've confirmed the request in my account now."},
		Update: []string{"Thank you – the request is confirmed. The export is being put together from our shop, newsletter and customer service systems; you'll have it well within the 30 days the law allows."},
		Nudge:  []string{"Just checking how my data export is coming along."},
		Resolve: []string{
			"Your data export is ready: there's a download link in the email we've just sent to {email}, valid for seven days. It covers your account details, orders, newsletter settings and your messages to us.",
			"I've sent the overview of your personal data to {email}, with an explanation of what each part is used for and how long we keep it. Let us know if you'd like anything corrected or deleted.",
		},
		Reopen:   []string{"Thanks. Could you also delete my newsletter data and my old orders?"},
		Reopened: []string{"I've removed you from the newsletter and deleted the related data. Orders have to be kept for as long as accounting law requires; everything older than that is now deleted, and the rest will be when its time comes."},
		Notes: []string{
			"Identity confirmed through the account. Legal deadline: 30 days from the request.",
			"Export generated from shop, newsletter and helpdesk data.",
		},
	},
	"membership_cancel": {
		Subject: []string{"Cancel my {plan} membership", "How do I stop my {plan} membership?"},
		Opening: []string{
			"Please cancel my {plan} membership from the end of this month. I can't find the option in my account settings.",
			"I don't use my {plan} membership enough any more and would like to stop it. How do I do that?",
		},
		Ask: []string{
			"I can help with that. Would you like to stop completely, or switch to the free membership so you keep your order history and wish lists?",
			"Of course. Before I cancel: should I end it completely, or move you to the free membership, which keeps your saved lists?",
		},
		Answer: []string{"Stopping completely is fine, thanks. I won't need the saved lists."},
		Update: []string{"Thanks. I've scheduled the cancellation for the end of your current period, so you keep the {plan} benefits until then. A confirmation email is on its way."},
		Nudge:  []string{"I haven't received the confirmation email yet – is the cancellation registered?"},
		Resolve: []string{
			"Done – your {plan} membership ends on the last day of this period, and you won't be charged again. The confirmation is in your inbox. May I ask what made you leave? It helps us improve.",
			"Your {plan} membership is cancelled, and no further payments will be taken. You keep the benefits until the end of the period you've paid for.",
		},
		Reopen:   []string{"Thanks. In case it's useful: it was mostly the price."},
		Reopened: []string{"Thank you, that's good to know – I've passed it on to the team that sets the prices. You're welcome back any time."},
		Notes: []string{
			"Churn reason: price. Offered two months at half price; declined.",
			"Cancellation scheduled in the billing system, effective end of period.",
		},
	},
	"product_question": {
		Subject: []string{"Question about the {product}", "Before I buy: warranty and returns"},
		Opening: []string{
			"I'm thinking of buying the {product}. How long is the warranty, and can I return it if it doesn't suit me?",
			"Before I order the {product}, I'd like to know what warranty it has and whether I can send it back if it's not right for me.",
		},
		Ask: []string{
			"Happy to help. Is it for yourself or a gift? The return rules are a little different with a gift receipt.",
			"Good questions! One thing first: are you buying it for yourself or as a present? With a gift receipt the return period is longer.",
		},
		Answer: []string{"It's a present for my sister's birthday."},
		Update: []string{"Thanks! With a gift receipt your sister can exchange it herself within 60 days, without seeing the price. I'm checking the exact warranty terms with the supplier and will get back to you."},
		Nudge:  []string{"Has the supplier answered about the warranty?"},
		Resolve: []string{
			"The {product} has a two-year warranty, and you can return it unused within 30 days – 60 days with a gift receipt. Orders placed before 3 pm on weekdays leave the warehouse the same day.",
			"The {product} comes with a two-year warranty from the date of purchase, and our 30-day return right applies as usual. If you add a gift receipt at checkout, the return period is 60 days and no price is shown.",
		},
		Reopen:   []string{"I ordered it yesterday – can I still add a gift receipt?"},
		Reopened: []string{"Yes – I've added a gift receipt to your order. It'll be in the box, and the price won't be shown on the delivery note."},
		Notes: []string{
			"Warranty terms confirmed with the supplier: two years, parts and labour.",
			"Returning customer with several earlier orders.",
		},
	},
}
